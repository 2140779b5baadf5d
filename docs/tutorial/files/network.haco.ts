import { defineContainer } from 'haco';

const lan = { bridge: 'hacotut0', bridgeAddress: '10.99.0.1/24' };
// ping needs net_raw (a raw ICMP socket), which haco's default capability set leaves out.
const a = defineContainer('tut-net-a').bootstrap((b) => b.busybox()).addCaps('net_raw');

export default [a.network({ ...lan, address: '10.99.0.10/24' }), a.extend('tut-net-b').network({ ...lan, address: '10.99.0.11/24' })];
