// A development certificate for `serve --tls`: a small local CA and a localhost/127.0.0.1 server
// certificate it signs, made once with openssl and reused. Clients trust the CA (for node:
// NODE_EXTRA_CA_CERTS=<dir>/ca.pem), which is what lets the unmodified `openai` package, whose
// Realtime client always dials wss://, reach a local server.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';

export interface DevCert {
  dir: string;
  /** The CA clients trust. */
  caPath: string;
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
  /** True when this call made the files (first use). */
  created: boolean;
}

/** Default location: $XDG_CONFIG_HOME/soundflow/tls (else ~/.config/soundflow/tls). */
export function defaultCertDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'soundflow', 'tls');
}

/** Loads the development certificate from `dir`, creating it first if it is not there. */
export function ensureDevCert(dir = defaultCertDir(), hosts: string[] = []): DevCert {
  const caPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  let created = false;
  if (!existsSync(caPath) || !existsSync(certPath) || !existsSync(keyPath)) {
    make(dir, hosts);
    created = true;
  }
  return { dir, caPath, certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath), created };
}

function make(dir: string, hosts: string[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const run = (args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SoundFlowError('missing_dependency', 'openssl not found: install the Debian package "openssl"');
      throw new SoundFlowError('tls_setup_failed', `openssl ${args[0]} failed: ${stderr || errorMessage(err)}`);
    }
  };
  const names = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', ...hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`))];
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=SoundFlow local development CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${[...new Set(names)].join(',')}\n`);
  // 397 days: the longest validity browsers accept for a server certificate.
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '397', '-extfile', 'server.ext']);
  for (const f of ['server.csr', 'server.ext', 'ca.srl']) rmSync(join(dir, f), { force: true });
  for (const f of ['ca-key.pem', 'key.pem']) chmodSync(join(dir, f), 0o600);
}
