// Fetches Debian packages without installing them: `apt-get download` into a cache, `dpkg -x` into a tree.
// Both steps are skipped when their output already exists, so a cached corpus never touches the network.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';

const run = promisify(execFile);

function findDeb(debDir: string, pkg: string): string | undefined {
  if (!existsSync(debDir)) return undefined;
  const f = readdirSync(debDir).find((n) => n.startsWith(pkg + '_') && n.endsWith('.deb'));
  return f ? join(debDir, f) : undefined;
}

/** Downloads (if needed) and extracts one package; returns the root of its extracted tree. */
export async function fetchPackage(cacheDir: string, pkg: string): Promise<string> {
  const debDir = join(cacheDir, 'debs');
  const root = join(cacheDir, 'x', pkg);
  if (existsSync(join(root, '.complete'))) return root;
  mkdirSync(debDir, { recursive: true });
  // Several processes (parallel test files) may fetch the same package at once: each downloads and
  // extracts in a private directory and publishes with an atomic rename; the first one wins.
  const mine = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let deb = findDeb(debDir, pkg);
  if (!deb) {
    const dl = join(debDir, `.dl-${mine}`);
    mkdirSync(dl, { recursive: true });
    try {
      await run('apt-get', ['download', pkg], { cwd: dl, maxBuffer: 1 << 24 });
      const got = findDeb(dl, pkg);
      if (!got) throw new SoundFlowError('download_failed', `apt-get download ${pkg} produced no .deb`);
      deb = join(debDir, got.slice(dl.length + 1));
      renameSync(got, deb);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e instanceof SoundFlowError) throw e;
      if (e.code === 'ENOENT') throw new MissingDependencyError('apt-get', 'apt');
      throw new SoundFlowError('download_failed', `apt-get download ${pkg} failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}`, { cause: err });
    } finally {
      rmSync(dl, { recursive: true, force: true });
    }
  }
  // The tree is complete (marker inside) before it appears under its final name.
  const tmp = `${root}.tmp-${mine}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await run('dpkg', ['-x', deb, tmp]);
    writeFileSync(join(tmp, '.complete'), '');
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new SoundFlowError('extract_failed', `dpkg -x ${deb} failed: ${(err as Error).message}`, { cause: err });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(tmp, root);
      return root;
    } catch (err) {
      if (existsSync(join(root, '.complete')) || attempt > 0) {
        // Another process published it first (or we cannot): use theirs.
        rmSync(tmp, { recursive: true, force: true });
        if (existsSync(join(root, '.complete'))) return root;
        throw new SoundFlowError('extract_failed', `cannot place ${pkg} at ${root}: ${(err as Error).message}`, { cause: err });
      }
      // A stale half tree from an interrupted run: move it aside, then retry.
      const stale = `${root}.stale-${mine}`;
      try {
        renameSync(root, stale);
      } catch {
        /* gone already */
      }
      rmSync(stale, { recursive: true, force: true });
    }
  }
}

/** Every regular file under `root`, as paths relative to it. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false }); // dangling symlinks (to other packages) are skipped
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile()) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * The licence that covers a package's files, from its debian/copyright: the `Files: *` stanza of a
 * machine-readable file (or the only License: line), else a pointer to the file.
 */
export function packageLicence(root: string, pkg: string): { licence: string; copyright: string } {
  const copyright = `/usr/share/doc/${pkg}/copyright`;
  const path = join(root, copyright);
  if (!existsSync(path)) return { licence: 'unknown (no copyright file)', copyright };
  const text = readFileSync(path, 'utf8');
  const stanzas = text.split(/\n\s*\n/);
  for (const s of stanzas) {
    if (/^Files:\s*\*\s*$/m.test(s)) {
      const m = /^License:\s*(\S.*)$/m.exec(s);
      if (m) return { licence: m[1].trim(), copyright };
    }
  }
  const all = [...text.matchAll(/^License:\s*(\S.*)$/gm)].map((m) => m[1].trim());
  if (all.length) return { licence: [...new Set(all)].join(' / '), copyright };
  return { licence: `see ${copyright}`, copyright };
}
