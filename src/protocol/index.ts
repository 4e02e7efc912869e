/**
 * The one typed contract between the engine and its clients (the VS Code extension, the CLI, the webviews, tests),
 * one module per topic. Types and constants only: no logic, no imports of `vscode` or engine code.
 */
export * from './options';
export * from './auth';
export * from './errors';
export * from './result';
export * from './lighthouse';
export * from './capture';
export * from './cro';
export * from './ai';
export * from './crux';
export * from './history';
export * from './scan';
export * from './findings';
export * from './settings';
export * from './stats';
export * from './messages';
