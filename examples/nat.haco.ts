// Outbound NAT: the container reaches beyond the host with the host's address (nftables masquerade).
//
//   sudo haco create examples/nat.haco.ts
//   sudo haco start examples/nat.haco.ts -- ping -c1 1.1.1.1       # any address the host itself reaches
//       → 1 packets transmitted, 1 packets received, 0% packet loss
//   sudo nft list table ip haco          # while it runs, on the host: chain nat-net-out … masquerade
//   sudo haco plan examples/nat.haco.ts --launch | grep -E 'ip_forward|masquerade'
//   sudo haco start examples/nat.haco.ts -- sh -c 'ip -6 addr show eth0; ip -6 route'
//       → inet6 fd88::20/64 scope global … default via fd88::1 dev eth0
//   sudo haco start examples/nat.haco.ts -- ping -6 -c1 fd88::1     # the bridge, over IPv6
//   sudo nft list table ip6 haco         # while it runs: the IPv6 masquerade, chain nat-net-out
//
// The rules are the container's own and go when it exits; net.ipv4.ip_forward and, for IPv6,
// net.ipv6.conf.all.forwarding are turned on and left on (docs/network.md says what the latter changes).
// Without `nat: true` the same ping gets no answer: nothing out there knows the way back to 10.88.0.0/24.
import { defineContainer } from 'haco';

export default defineContainer('net-out')
  .bootstrap((b) => b.busybox())
  // ping opens a raw ICMP socket (net_raw is not in haco's default set).
  .addCaps('net_raw')
  .network({
    bridge: 'haco0',
    bridgeAddress: '10.88.0.1/24',
    address: '10.88.0.20/24',
    // IPv6 next to IPv4: a ULA subnet (private, like 10.0.0.0/8), masqueraded too with nat: true.
    bridgeAddress6: 'fd88::1/64',
    address6: 'fd88::20/64',
    nat: true,
  });
