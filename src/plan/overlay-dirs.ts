/** An overlay container's own layers live beside its merged rootfs: DIR/rootfs → DIR/upper, DIR/work. */
export function overlayDirsBeside(rootfs: string): { upper: string; work: string } {
  const dir = rootfs.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
  return { upper: `${dir}/upper`, work: `${dir}/work` };
}
