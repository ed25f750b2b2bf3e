'use strict';
// Preloaded before any agent: notes when preloading began, so the app can
// tell how long the preloads after it held the main thread.

globalThis.startupProbeAt = performance.now();
