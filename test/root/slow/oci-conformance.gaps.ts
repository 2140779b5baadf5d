/**
 * Cases of the OCI runtime-tools suite that runc passes on this host and haco does not, each with why
 * (test/root/slow/oci-conformance.test.ts; docs/oci-runtime.md "Conformance"). `cases`: the TAP
 * descriptions of that binary (` [N]` for the N-th occurrence of one), or `all` for every case runc
 * passes in it. The test fails when a listed case passes in haco (remove it here) or fails in runc too.
 */
const MOUNT_NS = 'decided against (docs/oci-runtime.md "Differences from runc"): without a mount namespace of its own, or in one joined by path, runc mounts into the caller\'s (or another process\'s) mount table and leaves the mounts there, switching with chroot or moving that namespace\'s root; haco refuses such a config at create (E_PLAN_NO_MOUNT_NS, namespaces.enter)';

export const KNOWN_GAPS: Readonly<Record<string, { reason: string; cases: readonly string[] | 'all' }>> = {
  linux_ns_itype: { reason: `${MOUNT_NS}; the config leaves out every namespace type at once, so its single create fails`, cases: 'all' },
  linux_ns_path: { reason: MOUNT_NS, cases: ['set mnt namespace by path'] },
};
