import { z } from 'zod';

/** Thrown when the environment does not fit an app's config schema; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly app: string, readonly problems: string[]) {
    super(`invalid configuration for ${app}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment with the app's typed schema, collecting every problem into one clear error. */
export function loadConfig<S extends z.ZodType>(app: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(app, problems);
}

/** Boot helper: a bad config stops the process with a readable message instead of a stack trace. */
export function loadConfigOrExit<S extends z.ZodType>(app: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return loadConfig(app, schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
