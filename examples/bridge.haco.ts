// Two containers on one bridge: each gets its own net namespace and a veth pair plugged into haco0.
//
//   sudo haco create examples/bridge.haco.ts
//   sudo haco start examples/bridge.haco.ts -c net-a -- sleep 60 &
//   sudo haco start examples/bridge.haco.ts -c net-b -- sh -c 'ip -4 addr show eth0; ping -c1 10.88.0.10'
//       → inet 10.88.0.11/24 …
//       → 1 packets transmitted, 1 packets received, 0% packet loss
//   ip link show master haco0     # on the host: vh-net-a and vh-net-b
//   haco explain examples/bridge.haco.ts -c net-a     # the veth/bridge wiring step by step
//
// The bridge is created when missing and the veth is deleted when the container exits.
import { defineContainer } from 'haco';

const net = { bridge: 'haco0', bridgeAddress: '10.88.0.1/24' };
const base = defineContainer('net-a')
  .bootstrap((b) => b.busybox())
  // ping opens a raw ICMP socket, which needs net_raw: haco's default capability set leaves it out
  // (without it: "ping: permission denied (are you root?)").
  .addCaps('net_raw');

export default [
  base.network({ ...net, address: '10.88.0.10/24' }),
  base.extend('net-b').network({ ...net, address: '10.88.0.11/24' }),
];
