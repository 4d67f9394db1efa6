export * from './events.ts';
export * from './schemas.ts';
export * from './internal.ts';
export * from './routes.ts';
