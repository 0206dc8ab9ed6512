// Validates the Kubernetes manifests in deploy/kubernetes/ against the real schemas (the
// kubernetes-models packages' JSON-schema validators for Kubernetes, tidb-operator and
// prometheus-operator), then checks what the schemas cannot see: that the files agree with each
// other and with alerts/tikv-exporter.rules.yml, and (with --exporter) that the exporter accepts
// the config in the ConfigMap.
//
//   node tools/deploy/validate/validate.mjs [--exporter BIN] [--self-test] FILE|DIR...
//
// A directory stands for its *.yaml files.
// Files holding lines marked `# [tls] ` are validated twice: as written (TLS off) and with the
// marker removed (tlsCluster.enabled), as the README tells users to do. --self-test also feeds
// the validators broken copies (a wrong field type, a dangling reference) and fails unless each
// is rejected, so a validator that accepts anything cannot pass. Exit status 1 on any problem.
// Run from the repository root; dependencies come from `npm ci` here (scripts/install-deps.sh).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";

let yaml, models;
try {
  yaml = (await import("js-yaml")).default;
  const core = await import("kubernetes-models/v1");
  const tidb = await import("@kubernetes-models/tidb-operator/pingcap.com/v1alpha1");
  const monitoring =
      await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1");
  // Every kind we ship, by apiVersion and kind: anything else is an error, never skipped.
  models = {
    "v1/ConfigMap": core.ConfigMap,
    "pingcap.com/v1alpha1/TidbCluster": tidb.TidbCluster,
    "monitoring.coreos.com/v1/PodMonitor": monitoring.PodMonitor,
    "monitoring.coreos.com/v1/PrometheusRule": monitoring.PrometheusRule,
  };
} catch (error) {
  console.error(`validate: ${error.message}\nvalidate: install the validators with ` +
                "scripts/install-deps.sh (npm ci in tools/deploy/validate)");
  process.exit(1);
}

const kTlsMarker = /^(\s*)# \[tls\] /gm;
const kConfigKey = "tikv-exporter.toml";
const kRulesFile = "alerts/tikv-exporter.rules.yml";
// Volumes tidb-operator itself puts in every TiKV pod (tikv_member_manager.go); `tikv-tls` only
// with tlsCluster.enabled.
const kOperatorVolumes = ["tikv", "annotations", "config", "startup-script"];

// The documents of one file variant: [{where, doc}], or throws with the file named.
function Load(text, where) {
  const docs = yaml.loadAll(text, null, { filename: where }).filter((d) => d != null);
  return docs.map((doc, i) => ({ where: `${where} (document ${i + 1})`, doc }));
}

function Name(doc) {
  return `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
}

// Schema validation of one document: the error message, or null when valid.
function SchemaError(doc) {
  const Model = models[`${doc?.apiVersion}/${doc?.kind}`];
  if (!Model) return `apiVersion ${doc?.apiVersion} kind ${doc?.kind} has no validator here`;
  try {
    new Model(doc).validate();
    return null;
  } catch (error) {
    return error.message;
  }
}

function Sidecar(cluster) {
  return (cluster.spec?.tikv?.additionalContainers ?? []).find((c) => c.name === "tikv-exporter");
}

// What the schemas cannot check: the documents of one variant against each other.
function ConsistencyErrors(docs) {
  const errors = [];
  const byKind = (kind) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
  const clusters = byKind("TidbCluster");
  const configMaps = new Set(byKind("ConfigMap").map((d) => d.metadata.name));
  for (const cluster of clusters) {
    const sidecar = Sidecar(cluster);
    if (!sidecar) {
      errors.push(`${Name(cluster)}: no tikv-exporter container in spec.tikv.additionalContainers`);
      continue;
    }
    const volumes = new Set(kOperatorVolumes);
    if (cluster.spec.tlsCluster?.enabled) volumes.add("tikv-tls");
    for (const volume of cluster.spec.tikv.additionalVolumes ?? []) {
      volumes.add(volume.name);
      if (volume.configMap && !configMaps.has(volume.configMap.name)) {
        errors.push(`${Name(cluster)}: volume ${volume.name} names ConfigMap ` +
                    `${volume.configMap.name}, which no manifest defines`);
      }
    }
    for (const mount of sidecar.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) {
        errors.push(`${Name(cluster)}: the sidecar mounts volume ${mount.name}, which the pod ` +
                    "does not have (tikv-tls exists only with tlsCluster.enabled)");
      }
      if (!mount.readOnly) {
        errors.push(`${Name(cluster)}: the sidecar mounts ${mount.name} writable`);
      }
    }
    if (sidecar.livenessProbe?.httpGet?.path !== "/-/healthy" ||
        sidecar.readinessProbe?.httpGet?.path !== "/-/ready") {
      errors.push(`${Name(cluster)}: the sidecar's probes are not /-/healthy (liveness) and ` +
                  "/-/ready (readiness)");
    }
    const ports = new Set((sidecar.ports ?? []).map((p) => p.name));
    for (const monitor of byKind("PodMonitor")) {
      const instance = monitor.spec.selector?.matchLabels?.["app.kubernetes.io/instance"];
      if (instance !== cluster.metadata.name) {
        errors.push(`${Name(monitor)}: selects another cluster than ${Name(cluster)}`);
      }
      for (const endpoint of monitor.spec.podMetricsEndpoints ?? []) {
        if (!ports.has(endpoint.port)) {
          errors.push(`${Name(monitor)}: scrapes port ${endpoint.port}, which the sidecar ` +
                      "does not name");
        }
      }
    }
  }
  const rules = yaml.load(readFileSync(kRulesFile, "utf8"));
  for (const rule of byKind("PrometheusRule")) {
    if (!isDeepStrictEqual(rule.spec?.groups, rules.groups)) {
      errors.push(`${Name(rule)}: spec.groups differs from ${kRulesFile} ` +
                  "(run tools/deploy/prometheus_rule.py)");
    }
  }
  return errors;
}

// The exporter's own verdict on the config a ConfigMap carries.
function ExporterConfigErrors(docs, exporter) {
  const errors = [];
  for (const { where, doc } of docs) {
    const config = doc.kind === "ConfigMap" ? doc.data?.[kConfigKey] : undefined;
    if (config === undefined) continue;
    const dir = mkdtempSync(join(tmpdir(), "validate-config-"));
    try {
      const path = join(dir, kConfigKey);
      writeFileSync(path, config);
      execFileSync(exporter, ["--check-config", "--config", path], { stdio: "pipe" });
    } catch (error) {
      errors.push(`${where} ${Name(doc)}: ${exporter} --check-config rejects ${kConfigKey}: ` +
                  `${error.stderr?.toString().trim() || error.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return errors;
}

function ValidateAll(docs) {
  const errors = [];
  for (const { where, doc } of docs) {
    const error = SchemaError(doc);
    if (error) errors.push(`${where} ${Name(doc)}: ${error}`);
  }
  return errors.length ? errors : ConsistencyErrors(docs);
}

// Broken copies each validator must reject: one per kind (a wrong field type deep in the
// spec) and one per cross-check family.
const kBreakages = [
  ["TidbCluster", "a string containerPort",
   (d) => { Sidecar(d).ports[0].containerPort = "20190"; }],
  ["TidbCluster", "replicas as a string", (d) => { d.spec.tikv.replicas = "three"; }],
  ["PodMonitor", "relabelings as a string",
   (d) => { d.spec.podMetricsEndpoints[0].relabelings = "job"; }],
  ["PrometheusRule", "rule labels as a string",
   (d) => { d.spec.groups[0].rules[0].labels = "critical"; }],
  ["ConfigMap", "a number as config data", (d) => { d.data[kConfigKey] = 5; }],
  ["TidbCluster", "the TLS volume mounted without tlsCluster",
   (d) => {
     delete d.spec.tlsCluster;
     Sidecar(d).volumeMounts.push({ name: "tikv-tls", mountPath: "/t", readOnly: true });
   }],
  ["PodMonitor", "a port the sidecar does not name",
   (d) => { d.spec.podMetricsEndpoints[0].port = "metrics"; }],
  ["PrometheusRule", "a rule edited in place", (d) => { d.spec.groups[0].rules[0].for = "1h"; }],
];

function SelfTestErrors(docs) {
  const errors = [];
  for (const [kind, what, breakIt] of kBreakages) {
    const index = docs.findIndex((d) => d.doc.kind === kind);
    if (index < 0) {
      errors.push(`self-test: no ${kind} to break (${what})`);
      continue;
    }
    const broken = docs.map((d) => ({ where: d.where, doc: structuredClone(d.doc) }));
    breakIt(broken[index].doc);
    if (ValidateAll(broken).length === 0) {
      errors.push(`self-test: the validators accepted ${kind} with ${what}`);
    }
  }
  return errors;
}

function Main(args) {
  let exporter = null;
  let selfTest = false;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === "--exporter") exporter = args[++i];
    else if (args[i] === "--self-test") selfTest = true;
    else if (statSync(args[i], { throwIfNoEntry: false })?.isDirectory()) {
      const yamls = readdirSync(args[i]).filter((f) => f.endsWith(".yaml")).sort();
      files.push(...yamls.map((f) => join(args[i], f)));
    } else files.push(args[i]);
  }
  if (files.length === 0) {
    console.error("usage: validate.mjs [--exporter BIN] [--self-test] FILE|DIR...");
    return 2;
  }
  const variants = { "TLS off": [], "tlsCluster.enabled": [] };
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    try {
      variants["TLS off"].push(...Load(text, file));
      variants["tlsCluster.enabled"].push(...Load(text.replace(kTlsMarker, "$1"), `${file} [tls]`));
    } catch (error) {
      problems.push(`${file}: ${error.message}`);
    }
  }
  if (problems.length === 0) {
    for (const [variant, docs] of Object.entries(variants)) {
      const errors = ValidateAll(docs);
      problems.push(...errors);
      // Only valid documents tell whether a breakage is what the validators reject.
      if (selfTest && errors.length === 0) {
        problems.push(...SelfTestErrors(docs).map((e) => `${e} (${variant})`));
      }
    }
    // With TLS on the config names certificate files only a TiKV pod has.
    if (exporter) problems.push(...ExporterConfigErrors(variants["TLS off"], exporter));
  }
  for (const problem of problems) console.error(problem);
  const count = variants["TLS off"].length;
  if (problems.length === 0) {
    console.log(`validate: ${count} manifests valid, with TLS off and on` +
                (selfTest ? `; ${kBreakages.length} broken copies rejected in each` : ""));
  }
  return problems.length ? 1 : 0;
}

process.exit(Main(process.argv.slice(2)));
