// Outbound NAT: the container reaches beyond the host with the host's address (nftables masquerade).
//
//   sudo haco create examples/nat.haco.ts
//   sudo haco start examples/nat.haco.ts -- ping -c1 1.1.1.1       # any address the host itself reaches
//       → 1 packets transmitted, 1 packets received, 0% packet loss
//   sudo nft list table ip haco          # while it runs, on the host: chain nat-net-out … masquerade
//   sudo haco plan examples/nat.haco.ts --launch | grep -E 'ip_forward|masquerade'
//
// The rule is the container's own and goes when it exits; net.ipv4.ip_forward is turned on and left on.
// Without `nat: true` the same ping gets no answer: nothing out there knows the way back to 10.88.0.0/24.
import { defineContainer } from 'haco';

export default defineContainer('net-out')
  .bootstrap((b) => b.busybox())
  // ping opens a raw ICMP socket (net_raw is not in haco's default set).
  .addCaps('net_raw')
  .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.20/24', nat: true });
