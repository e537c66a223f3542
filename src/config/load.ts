import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, formatIssue, issuePath } from '../shared/index.js';
import { appConfigSchema, ENV_KEYS, SECRET_PATHS, type AppConfig } from './schema.js';

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isTree(prev) && isTree(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function getPath(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split('.')) node = isTree(node) ? node[part] : undefined;
  return node;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]!] = value;
}

function readYaml(file: string): Tree {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  if (doc == null) return {};
  if (!isTree(doc)) throw new ConfigError(`${file}: must be a mapping at the top level`);
  return doc;
}

export interface LoadConfigOptions {
  /** Directory holding default.yaml and <env>.yaml. Defaults to ./config. */
  configDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * default.yaml, then config/<SWITCHBOARD_ENV>.yaml, then environment variables; validated whole.
 * A bad value throws one ConfigError whose message names the key (or variable) and the problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const dir = resolve(options.configDir ?? 'config');
  const envName = env.SWITCHBOARD_ENV ?? 'default';
  let tree: Tree = {};
  const defaultFile = join(dir, 'default.yaml');
  if (existsSync(defaultFile)) tree = readYaml(defaultFile);
  const envFile = join(dir, `${envName}.yaml`);
  if (envName !== 'default' && existsSync(envFile)) tree = deepMerge(tree, readYaml(envFile));

  for (const secret of SECRET_PATHS) {
    if (getPath(tree, secret) != null) {
      throw new ConfigError(`${secret}: secrets must come from the environment, not from config files`);
    }
  }
  for (const path of SECRET_PATHS) if (getPath(tree, path) === undefined) setPath(tree, path, null);
  for (const p of ['twilio.accountSid']) if (getPath(tree, p) === undefined) setPath(tree, p, null);
  if (getPath(tree, 'log.level') === undefined) setPath(tree, 'log.level', 'info');
  if (getPath(tree, 'server.insecure') === undefined) setPath(tree, 'server.insecure', false);
  tree.env = envName;

  const fromEnv = new Map<string, string>();
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(tree, path, value);
      fromEnv.set(path, name);
    }
  }

  const parsed = appConfigSchema.safeParse(tree);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issuePath(issue.path);
    const source = fromEnv.get(path);
    // A value that came from the environment is named by its variable: that is what the operator set.
    throw new ConfigError(`config ${source ? `${source} (${path}): ${issue.message}` : formatIssue(issue)}`);
  }
  const config = parsed.data;
  if (config.server.publicUrl === null) config.server.publicUrl = `http://localhost:${config.server.port}`;
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
