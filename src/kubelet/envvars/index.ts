// Container environment: service variables, envFrom/env/valueFrom, $(VAR) expansion.
export { EnvironmentBuilder, type EnvironmentBuilderOptions } from './environment.js';
export { fromServices, isServiceIPSet, makeEnvVariableName } from './envvars.js';
export { containerResourceValue, limitsWithAllocatable, podFieldValue, resourceFieldValue, splitMaybeSubscriptedPath, type Allocatable, type EnvVar, type FieldContext } from './downward.js';
export { expandContainerCommandAndArgs, expandVars, mappingOf } from './expand.js';
