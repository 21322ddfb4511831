/**
 * Certificates made with the openssl CLI for local servers and tests: a CA, a server certificate
 * it signs for the given hostnames and 127.0.0.1, and an unrelated CA that signed nothing (for
 * tests of a wrong CA). Short-lived on purpose: they are regenerated when missing or expired.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Paths of the generated PEM files. */
export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  otherCaCert: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

function makeCa(dir: string, name: string, days: number): void {
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      String(days),
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
    ],
    dir,
  );
}

/**
 * Writes the certificates into `dir` (created if missing): the server certificate names
 * `hostnames` and `ipAddresses` and lasts `days`.
 */
export async function makeCertificates(
  dir: string,
  hostnames: string[] = ["localhost"],
  days = 2,
  ipAddresses: string[] = ["127.0.0.1"],
): Promise<TestCertificates> {
  await fs.mkdir(dir, { recursive: true });
  makeCa(dir, "test-ca", days);
  makeCa(dir, "other-ca", days);
  const altNames = [...hostnames.map((h) => `DNS:${h}`), ...ipAddresses.map((ip) => `IP:${ip}`)].join(",");
  await fs.writeFile(path.join(dir, "server.ext"), `subjectAltName=${altNames}\n`);
  openssl(
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${hostnames[0]}`,
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    ],
    dir,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "test-ca.crt",
      "-CAkey",
      "test-ca.key",
      "-CAcreateserial",
      "-days",
      String(days),
      "-extfile",
      "server.ext",
      "-out",
      "server.crt",
    ],
    dir,
  );
  return {
    caCert: path.join(dir, "test-ca.crt"),
    serverCert: path.join(dir, "server.crt"),
    serverKey: path.join(dir, "server.key"),
    otherCaCert: path.join(dir, "other-ca.crt"),
  };
}
