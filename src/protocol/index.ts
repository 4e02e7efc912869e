/** The one typed contract between the engine and its clients. */
export * from './types';
export * from './messages';
