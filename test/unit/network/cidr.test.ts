import { broadcastOf, contains, formatIpv4, networkOf, overlaps, parseCidr, parseIpv4, subnetText } from '../../../src/plan/cidr';

describe('IPv4 CIDR arithmetic', () => {
  it('parses addresses and CIDRs, refusing malformed ones', () => {
    expect(parseIpv4('10.231.0.1')).toBe(0x0ae70001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', 'a.b.c.d', '10.0.0.1 ', '']) expect(parseIpv4(bad)).toBeUndefined();
    expect(parseCidr('10.231.0.1/24')).toEqual({ address: 0x0ae70001, prefix: 24 });
    for (const bad of ['10.231.0.1', '10.231.0.1/33', '10.231.0.1/', '10.231.0.1/2a', '10.231.0.300/24']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('computes network, broadcast and subnet text', () => {
    const c = parseCidr('10.231.5.77/24')!;
    expect(formatIpv4(networkOf(c))).toBe('10.231.5.0');
    expect(formatIpv4(broadcastOf(c))).toBe('10.231.5.255');
    expect(subnetText(c)).toBe('10.231.5.0/24');
    expect(subnetText(parseCidr('10.1.2.3/0')!)).toBe('0.0.0.0/0');
    expect(subnetText(parseCidr('192.168.1.130/25')!)).toBe('192.168.1.128/25');
  });

  it('answers containment and overlap', () => {
    const a = parseCidr('10.231.0.1/24')!;
    expect(contains(a, parseIpv4('10.231.0.200')!)).toBe(true);
    expect(contains(a, parseIpv4('10.231.1.2')!)).toBe(false);
    expect(overlaps(a, parseCidr('10.231.0.128/25')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/8')!, a)).toBe(true);
    expect(overlaps(a, parseCidr('10.231.1.1/24')!)).toBe(false);
  });
});
