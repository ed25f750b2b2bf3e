/**
 * Everything `querylens dashboards` writes for one job and data source, computed from the
 * files the package ships (read by the caller) and the compiled rule sources: no Grafana SDK
 * and no file system here.
 */
import { join } from 'node:path';
import { dashboardProvider, prometheusDatasource } from './grafana/src/provisioning';
import type { VariableDefaults } from './grafana/src/variableDefaults';
import { dashboardJsonText, parseDashboardJson, withVariableDefaults } from './grafana/src/variableDefaults';
import { scrapeExampleFor } from './prometheus/src/scrapeExample';
import type { ArtifactOptions } from './ruleArtifacts';
import { generateRuleArtifacts, RULE_FILE } from './ruleArtifacts';
import { yamlFile } from './shared/yamlFile';

/** Paths under the package's dashboards/ folder that are read, and written back under the same name. */
export const SHIPPED = {
  grafana: 'grafana',
  scrapeExample: 'prometheus/prometheus.example.yml',
  alertmanager: 'alertmanager/alertmanager.yml',
} as const;

export const OUTPUT = {
  dashboards: 'grafana/dashboards',
  dashboardProvider: 'grafana/provisioning/dashboards/querylens.yaml',
  datasource: 'grafana/provisioning/datasources/querylens.yaml',
} as const;

export interface ShippedAssets {
  /** File name → text of each generated dashboard in dashboards/grafana/. */
  readonly dashboards: ReadonlyMap<string, string>;
  readonly scrapeExample: string;
  readonly alertmanager: string;
}

export interface DeploymentOptions extends ArtifactOptions, VariableDefaults {
  /** Absolute folder everything is written under: the dashboard provider points into it. */
  readonly outDir: string;
}

export interface OutputFile {
  /** Relative to the output folder. */
  readonly path: string;
  readonly content: string;
  /** One line for the summary. */
  readonly what: string;
}

const RERUN = 'Written by `querylens dashboards`: run it again rather than edit this file.';
/** Each file's opening comment: what wrote it, then what to do with it. */
const HEADER = {
  rules: RERUN,
  dashboardProvider: `${RERUN}
Copy it to /etc/grafana/provisioning/dashboards/; if the dashboards move, change options.path.`,
  datasource: `${RERUN}
Set url to your Prometheus (or Mimir, Thanos…), then copy it to /etc/grafana/provisioning/datasources/,
unless Grafana has this data source already.`,
  scrapeExample: `${RERUN}
A scrape job for the agents, the rules next to this file and Alertmanager: merge it into your prometheus.yml.
\`promtool check config prometheus.example.yml\` validates it (rule file paths are relative to this file).`,
} as const;

export function deploymentFiles(shipped: ShippedAssets, options: DeploymentOptions): OutputFile[] {
  const dashboardsPath = join(options.outDir, OUTPUT.dashboards);
  return [
    ...dashboardFiles(shipped.dashboards, options),
    {
      path: OUTPUT.dashboardProvider,
      content: yamlFile(HEADER.dashboardProvider, dashboardProvider(dashboardsPath)),
      what: `Grafana dashboard provider loading ${dashboardsPath}`,
    },
    {
      path: OUTPUT.datasource,
      content: yamlFile(HEADER.datasource, prometheusDatasource(options.datasource)),
      what: `Grafana Prometheus data source ${JSON.stringify(options.datasource)} (set its url)`,
    },
    {
      path: RULE_FILE,
      content: generateRuleArtifacts(options, HEADER.rules).rules,
      what: `alert and recording rules for job ${JSON.stringify(options.job)}`,
    },
    {
      path: SHIPPED.scrapeExample,
      content: scrapeExampleFor(shipped.scrapeExample, options.job, HEADER.scrapeExample),
      what: `Prometheus scrape config example for job ${JSON.stringify(options.job)}, loading the rules`,
    },
    { path: SHIPPED.alertmanager, content: shipped.alertmanager, what: 'Alertmanager example as shipped (replace the webhook receivers)' },
  ];
}

function dashboardFiles(dashboards: ReadonlyMap<string, string>, defaults: VariableDefaults): OutputFile[] {
  return [...dashboards].map(([file, text]) => {
    const dashboard = withVariableDefaults(parseDashboardJson(text, file), defaults);
    return { path: `${OUTPUT.dashboards}/${file}`, content: dashboardJsonText(dashboard), what: `Grafana dashboard ${JSON.stringify(dashboard.title)}` };
  });
}
