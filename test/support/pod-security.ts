/*
 * The Kubernetes Pod Security Standards, "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards,
 * which includes every "baseline" control), as a checker over a pod spec: each rule as the page states it, one
 * message per violation. Plus what Gantry forbids on top: a Docker socket anywhere.
 */

type Obj = Record<string, any>;

const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const SAFE_SYSCTLS = new Set(["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]);
const SELINUX_TYPES = new Set([undefined, "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** Every violation of the restricted profile (and of "no Docker socket") in `spec`, empty when it passes. */
export function restrictedViolations(spec: Obj): string[] {
  const out: string[] = [];
  const pod = (spec.securityContext ?? {}) as Obj;
  const containers: Obj[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];

  // baseline
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[host] === true) out.push(`${host} is true`);
  if (pod.windowsOptions?.hostProcess === true) out.push("pod windowsOptions.hostProcess is true");
  for (const s of pod.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) out.push(`sysctl ${s.name} is not a safe sysctl`);
  if (pod.seccompProfile?.type === "Unconfined") out.push("pod seccompProfile is Unconfined");
  if (!SELINUX_TYPES.has(pod.seLinuxOptions?.type) || pod.seLinuxOptions?.user || pod.seLinuxOptions?.role) out.push("pod seLinuxOptions are not allowed");
  if (pod.appArmorProfile?.type === "Unconfined") out.push("pod appArmorProfile is Unconfined");
  // restricted
  for (const v of spec.volumes ?? []) {
    const kind = Object.keys(v).find((k) => k !== "name");
    if (!kind || !RESTRICTED_VOLUMES.has(kind)) out.push(`volume ${v.name} is of type ${kind}, not allowed`);
  }
  if (pod.runAsUser === 0) out.push("pod runAsUser is 0");

  for (const c of containers) {
    const sc = (c.securityContext ?? {}) as Obj;
    const where = `container ${c.name}`;
    if (sc.privileged === true) out.push(`${where} is privileged`);
    if (sc.windowsOptions?.hostProcess === true) out.push(`${where} windowsOptions.hostProcess is true`);
    for (const p of c.ports ?? []) if (p.hostPort !== undefined && p.hostPort !== 0) out.push(`${where} uses hostPort ${p.hostPort}`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") out.push(`${where} procMount is ${sc.procMount}`);
    if (!SELINUX_TYPES.has(sc.seLinuxOptions?.type) || sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) out.push(`${where} seLinuxOptions are not allowed`);
    if (sc.appArmorProfile?.type === "Unconfined") out.push(`${where} appArmorProfile is Unconfined`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where} does not set allowPrivilegeEscalation: false`);
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) out.push(`${where} is not runAsNonRoot (neither it nor the pod sets true)`);
    if (sc.runAsUser === 0) out.push(`${where} runAsUser is 0`);
    const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes("ALL")) out.push(`${where} does not drop ALL capabilities`);
    for (const add of caps.add ?? []) if (add !== "NET_BIND_SERVICE") out.push(`${where} adds capability ${add}`);
    // Gantry's own rule: no Docker daemon reachable from the pod.
    for (const m of c.volumeMounts ?? []) if (/docker\.sock|\/var\/run\/docker|dind/.test(m.mountPath)) out.push(`${where} mounts ${m.mountPath}`);
    for (const e of c.env ?? []) if (e.name === "DOCKER_HOST" || /docker\.sock/.test(String(e.value ?? ""))) out.push(`${where} points at a Docker daemon (${e.name})`);
    if (/dind|docker:/.test(String(c.image))) out.push(`${where} runs a Docker daemon image (${c.image})`);
  }
  return out;
}
