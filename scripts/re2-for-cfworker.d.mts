// Types of re2-for-cfworker.mjs, for vitest.config.ts (the web build is plain JavaScript).
export declare const CFWORKER_VALIDATE: RegExp;
export declare function withRe2(code: string, file: string): string;
export declare const re2ForCfworker: { name: string; setup(build: unknown): void };
export declare const edgeSchemaValidator: { name: string; setup(build: unknown): void };
