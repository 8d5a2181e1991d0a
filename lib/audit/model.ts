// Moved to lib/report/audit-model.ts (the renderers, one layer below audit, need the types); kept so lib/audit imports it from here.
export * from '../report/audit-model.ts';
