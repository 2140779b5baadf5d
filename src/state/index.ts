export * from './paths';
export * from './proc';
export * from './read';
