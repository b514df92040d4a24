// Types of cfworker-hardening.mjs, for vitest.config.ts (the web build is plain JavaScript).
export declare const CFWORKER_VALIDATE: RegExp;
export declare function hardenCfworker(code: string, file: string): string;
export declare const hardenedCfworker: { name: string; setup(build: unknown): void };
export declare const edgeSchemaValidator: { name: string; setup(build: unknown): void };
