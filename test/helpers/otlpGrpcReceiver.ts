/**
 * An OTLP/gRPC receiver for tests: a real @grpc/grpc-js server offering the
 * collector's MetricsService and TraceService `Export` methods. Requests are
 * kept as bytes and decoded with the same protobuf definitions as the
 * OTLP/HTTP receiver's (otlpProto.ts); every export is answered with an
 * empty (successful) response.
 */
import { Server, ServerCredentials, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { OtlpMessages } from './otlpReceiver';
import { decodeOtlpProtobuf, type OtlpSignal } from './otlpProto';

const SERVICES: Record<OtlpSignal, string> = {
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
};

const asBytes = (bytes: Buffer): Buffer => bytes;
const EMPTY_RESPONSE = (): Buffer => Buffer.alloc(0);

function exportMethod(signal: OtlpSignal): ServiceDefinition {
  return {
    Export: {
      path: `/${SERVICES[signal]}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: asBytes,
      requestDeserialize: asBytes,
      responseSerialize: EMPTY_RESPONSE,
      responseDeserialize: asBytes,
    },
  };
}

export class OtlpGrpcReceiver extends OtlpMessages {
  /** Every request body as received, for leak searches. */
  readonly bodies: Buffer[] = [];
  private readonly server = new Server();
  port = 0;

  private handler(signal: OtlpSignal): UntypedServiceImplementation {
    return {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        this.bodies.push(call.request);
        this.messages.push({ signal, encoding: 'grpc', message: decodeOtlpProtobuf(signal, call.request) });
        callback(null, Buffer.alloc(0));
      },
    };
  }

  async start(): Promise<void> {
    for (const signal of ['metrics', 'traces'] as const) this.server.addService(exportMethod(signal), this.handler(signal));
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
    });
  }

  close(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }
}
