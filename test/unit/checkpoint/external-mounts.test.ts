import { externalMountsOf } from '../../../src/checkpoint/checkpoint';
import { defineContainer } from '../../../src/dsl/container';
import { buildPlan } from '../../../src/plan/build';

describe('criu external mounts of a plan', () => {
  test("the host bootstrap's binds (/usr, /bin, …) are external: criu cannot dump mounts that come from the host", () => {
    const built = buildPlan('/tmp/x.haco.ts', defineContainer('x').bootstrap((b) => b.host()));
    if ('notContainers' in built) throw new Error(built.notContainers);
    const plan = built.plan.containers[0]!;
    expect(plan.bootstrap.strategy).toBe('host');
    const binds = plan.bootstrap.strategy === 'host' ? plan.bootstrap.binds : [];
    expect(binds).toContain('/usr');
    const external = externalMountsOf(plan, () => true);
    for (const b of binds) expect(external).toContainEqual({ target: b, source: b });
  });
});
