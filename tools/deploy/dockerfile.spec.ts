/**
 * docker/Dockerfile and the image's entrypoint, without a Docker engine: the Dockerfile is parsed
 * (stages, what the runtime stage copies, its user), and the entrypoint and healthcheck scripts the
 * image runs are executed here against the built tree (tests run after `npm run build`), with a stub
 * `node` that reports what it would have started.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { readText, ROOT, serverApps } from './support.js';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical.map((l) => {
    const m = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray;
    return { op: (m[1] as string).toUpperCase(), args: m[2] as string };
  });
}

function stages(all: Instruction[]): Stage[] {
  const args = new Map<string, string>();
  const result: Stage[] = [];
  for (const i of all) {
    if (i.op === 'ARG' && result.length === 0) {
      const [name, value = ''] = i.args.split('=');
      args.set(name as string, value);
    } else if (i.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args) as RegExpExecArray;
      const from = (m[1] as string).replace(/\$\{?(\w+)\}?/g, (_s, n: string) => args.get(n) ?? '');
      result.push({ from, name: m[2], instructions: [] });
    } else {
      result.at(-1)?.instructions.push(i);
    }
  }
  return result;
}

/** `COPY [--from=x] [--chown=..] src... dest` */
function copies(stage: Stage): { from: string | undefined; sources: string[]; dest: string }[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) as string };
    });
}

const text = readText('docker/Dockerfile');
const all = stages(instructions(text));
const runtime = all.at(-1) as Stage;
const apps = serverApps();
const last = (stage: Stage, op: string): Instruction | undefined => stage.instructions.filter((i) => i.op === op).at(-1);
const workdir = (stage: Stage): string => last(stage, 'WORKDIR')?.args ?? '/';
const stageNamed = (name: string | undefined): Stage | undefined => all.find((s) => s.name === name);
const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

/** Where a path of the runtime stage's filesystem came from: [stage, path in that stage]. */
function originOf(path: string): { stage: Stage; path: string } | undefined {
  const dir = workdir(runtime);
  for (const c of copies(runtime)) {
    const dest = posix.resolve(dir, c.dest);
    for (const source of c.sources) {
      const landed = c.dest.endsWith('/') || c.sources.length > 1 ? posix.join(dest, posix.basename(source)) : dest;
      if (path === landed || path.startsWith(`${landed}/`)) {
        const stage = stageNamed(c.from);
        const fromDir = stage ? workdir(stage) : '/';
        return { stage: stage ?? runtime, path: posix.join(stage ? posix.resolve(fromDir, source) : source, path.slice(landed.length)) };
      }
    }
  }
  return undefined;
}

describe('Dockerfile', () => {
  it('is multi-stage: the runtime stage takes built files from the others', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(runtime.from).toMatch(/^node:\d+/);
    const froms = copies(runtime).map((c) => c.from).filter(Boolean);
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(all.slice(0, -1).map((s) => s.name)).toContain(from);
    // No compiling, no installing in the runtime stage.
    expect(runs(runtime)).toEqual([]);
  });

  it('builds with `npm run build` and ships all of dist/ (the apps and the web app in dist/web)', () => {
    const dist = originOf('/app/dist');
    expect(dist).toBeDefined();
    expect(dist!.path).toBe(posix.join(workdir(dist!.stage), 'dist'));
    expect(runs(dist!.stage).some((r) => /^npm run build\b/.test(r))).toBe(true);
    // `npm run build` writes dist/web when it includes the Vite build of apps/web: then it is there.
    const { scripts } = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    const expand = (name: string, depth = 0): string =>
      depth > 5 ? '' : (scripts[name] ?? '').replace(/\bnpm run ([\w:-]+)/g, (_m, inner: string) => expand(inner, depth + 1));
    if (/\bvite build\b/.test(expand('build'))) expect(existsSync(join(ROOT, 'dist/web/index.html'))).toBe(true);
  });

  it('ships production dependencies only, and package.json (its "imports" map the libs)', () => {
    const modules = originOf('/app/node_modules');
    expect(modules).toBeDefined();
    const install = runs(modules!.stage).join(' && ');
    expect(install).toMatch(/npm ci\b[^&]*--omit=dev|npm prune\b[^&]*--omit=dev/);
    expect(originOf('/app/package.json')).toBeDefined();
    // No sources in the image: only the gateway's static demo pages from apps/.
    const fromApps = copies(runtime).flatMap((c) => c.sources).filter((s) => s.includes('apps') || s.includes('libs'));
    expect(fromApps.map((s) => s.replace(/^\/src\//, ''))).toEqual(['apps/gateway/public']);
  });

  it('runs as a numeric non-root user (so Kubernetes runAsNonRoot can check it)', () => {
    const user = last(runtime, 'USER')?.args;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
    // Nothing after USER switches back.
    const index = runtime.instructions.findIndex((i) => i.op === 'USER');
    expect(runtime.instructions.slice(index).filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('exposes every app port and starts through docker/entrypoint.sh, copied into the image', () => {
    const exposed = (last(runtime, 'EXPOSE')?.args ?? '').split(/\s+/);
    for (const app of apps) expect(exposed).toContain(String(app.port));
    const entrypoint = JSON.parse(last(runtime, 'ENTRYPOINT')?.args ?? 'null') as string[];
    expect(entrypoint).toEqual(['sh', 'docker/entrypoint.sh']);
    expect(last(runtime, 'CMD')).toBeUndefined();
    for (const script of ['docker/entrypoint.sh', 'docker/healthcheck.mjs']) {
      const origin = originOf(posix.resolve(workdir(runtime), script));
      expect([script, origin?.stage]).toEqual([script, runtime]); // from the build context
      expect(existsSync(join(ROOT, origin!.path))).toBe(true);
    }
    const healthcheck = last(runtime, 'HEALTHCHECK')?.args ?? '';
    expect(JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3))).toEqual(['node', 'docker/healthcheck.mjs']);
  });

  it('keeps node_modules, dist and .git out of the build context', () => {
    const ignored = readText('docker/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const pattern of ['**/node_modules', 'dist', '.git']) expect(ignored).toContain(pattern);
  });
});

describe('the image entrypoint (docker/entrypoint.sh)', () => {
  let stubDir: string;

  beforeAll(() => {
    stubDir = mkdtempSync(join(tmpdir(), 'liveroom-entrypoint-'));
    // A `node` that prints its working directory and arguments instead of running anything.
    writeFileSync(join(stubDir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$PWD" "$@"\n');
    chmodSync(join(stubDir, 'node'), 0o755);
  });

  afterAll(() => rmSync(stubDir, { recursive: true, force: true }));

  const run = (env: Record<string, string>, cwd = '/') =>
    spawnSync('sh', [join(ROOT, 'docker/entrypoint.sh')], {
      cwd,
      env: { PATH: `${stubDir}:${process.env.PATH ?? ''}`, ...env },
      encoding: 'utf8',
    });

  it.each(apps.map((a) => [a.name]))('APP=%s starts dist/apps/<app>/src/main.js, which the build produced', (app) => {
    const result = run({ APP: app });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [cwd, ...args] = result.stdout.trim().split('\n');
    // It runs from the image's root (/app), whatever the working directory.
    expect(cwd).toBe(ROOT.replace(/\/$/, ''));
    expect(args).toEqual(['--enable-source-maps', `dist/apps/${app}/src/main.js`]);
    expect(existsSync(join(ROOT, args[1]!))).toBe(true);
  });

  it.each([['web'], [''], ['../../etc/passwd'], ['gateway; id']])('refuses APP=%j', (app) => {
    const result = run({ APP: app });
    expect(result.status).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/APP must be one of gateway, barrage, moderation, gifting, cohost/);
  });

  it('accepts exactly the server apps', () => {
    const listed = /^\s*([a-z |]+)\)\s*;;/m.exec(readText('docker/entrypoint.sh'))?.[1]?.split('|').map((s) => s.trim());
    expect([...(listed ?? [])].sort()).toEqual(apps.map((a) => a.name));
  });
});

describe('the image healthcheck (docker/healthcheck.mjs)', () => {
  let server: Server;
  let port: number;
  let status = 200;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.statusCode = status;
      res.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function check(env: Record<string, string>): Promise<number | null> {
    const child = spawn(process.execPath, [join(ROOT, 'docker/healthcheck.mjs')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  }

  it.each(apps.map((a) => [a.name, a]))('APP=%s: asks /readyz on the app port variable', async (_n, app) => {
    status = 200;
    paths.length = 0;
    expect(await check({ APP: app.name, [app.portVar]: String(port) })).toBe(0);
    expect(paths).toEqual(['/readyz']);
    status = 503;
    expect(await check({ APP: app.name, [app.portVar]: String(port) })).toBe(1);
  });

  it('fails for an unknown app or nothing listening', async () => {
    status = 200;
    expect(await check({ APP: 'web', GATEWAY_PORT: String(port) })).toBe(1);
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await check({ APP: 'gateway', GATEWAY_PORT: String(unused) })).toBe(1);
  });
});
