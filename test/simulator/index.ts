// Public surface of the Management Activity API simulator (tests, demo, benchmarks).
export { startSimulator } from "./server";
export type { PublishOptions, RequestLogEntry, Simulator, SimulatorOptions } from "./server";
export type { ClientOptions, BacklogOptions, TenantOptions } from "./tenant";
export type { Faults, FaultSelector, RequestKind } from "./faults";
export { API_KINDS } from "./faults";
export { startProxy } from "./proxy";
export type { Proxy, ProxyOptions } from "./proxy";
export { generateTenant, generateLargeBlob, DEFENDER_RECORD_TYPES } from "./generator/generate";
export type { GenerateOptions, GeneratedBlob, RecordSource } from "./generator/generate";
export type { AuditRecord } from "./generator/values";
export { HOSTILE_TEXTS } from "./generator/hostile";
export { createClientCertificate } from "./certificates";
export type { ClientCertificate } from "./certificates";
export * from "./defaults";
