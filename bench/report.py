#!/usr/bin/env python3
"""Renders the results of bench/run.sh into docs/benchmarks.md.

usage: report.py RESULTS WORKDIR DOC

RESULTS holds "key value" lines recorded during the run; WORKDIR the profile excerpts. The table
replaces what lies between the two markers below in DOC (appended when they are missing); the rest
of DOC, such as its hand-written sections, is left as it is. Every figure comes from this run.
"""
import math
import os
import sys

BEGIN = "<!-- bench/run.sh results: begin (generated, do not edit) -->"
END = "<!-- bench/run.sh results: end -->"


def load(path):
    values = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            values[key] = value
    return values


def main():
    results_path, work, doc_path = sys.argv[1:4]
    r = load(results_path)

    def num(key):
        try:
            return float(r[key])
        except (KeyError, ValueError):
            return math.nan

    def rate(v):
        if math.isnan(v):
            return "n/a"
        return f"{v / 1000:.1f}k/s" if v >= 10000 else f"{v:,.0f}/s"

    def ms(v):
        return "n/a" if math.isnan(v) else f"{v:.2f} ms"

    def ratio(a, b):
        return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan

    def fmt_ratio(v, suffix="×"):
        return "n/a" if math.isnan(v) else f"{v:.2f}{suffix}"

    def slashes(key, digits, scale=1):
        """A recorded "a/b/c" list, each value scaled and rounded, or "?"."""
        try:
            return " / ".join(f"{float(v) * scale:,.{digits}f}" for v in r[key].split("/"))
        except (KeyError, ValueError):
            return "?"

    def met(ok):
        return "**yes**" if ok else "**no**"

    rows = []

    def row(scenario, figure, reference, ratio_text, target, ok):
        rows.append(f"| {scenario} | {figure} | {reference} | {ratio_text} | {target} | {ok} |")

    rsa = num("openssl_rsa2048_signs")
    rs = num("rs256_tokens")
    q = ratio(rs, rsa)
    row(f"1 · `/oauth/token` RS256, keep-alive, 64 connections, {r.get('rs256_rounds', '?')} rounds",
        f"{rate(rs)} tokens, mean of the rounds (failed: {r.get('rs256_failed', '?')})",
        f"`openssl speed -multi 2 rsa2048`: {rate(rsa)} signs, mean of the measurements before, between and after the rounds: {slashes('openssl_rsa2048_signs_rounds', 0)}",
        f"{fmt_ratio(q * 100, ' %')} (rounds: {slashes('rs256_round_ratios', 2, 100)})", "≥ 80 %", met(q >= 0.8))
    cores = num("rs256_server_cores")
    per_core = ratio(rs / cores, rsa / 2) if cores else float("nan")
    row("1 · the same run per core the server had",
        f"{rate(rs / cores if cores else float('nan'))} tokens per core-second; the server used {cores:.2f} of the 2 cores (wrk and its kernel work had the rest)",
        f"`openssl speed -multi 2 rsa2048` per core: {rate(rsa / 2)}",
        fmt_ratio(per_core * 100, " %"), "explains target 1", "—")
    normal = num("rs256_normal_tokens")
    normal_cores = num("rs256_normal_server_cores")
    row("1 · the same, one run with wrk at the normal scheduling policy (the rounds run it as SCHED_BATCH)",
        f"{rate(normal)} tokens (failed: {r.get('rs256_normal_failed', '?')}); the server used {normal_cores:.2f} of the 2 cores",
        f"`openssl speed -multi 2 rsa2048`: {rate(rsa)} signs (mean above)",
        fmt_ratio(ratio(normal, rsa) * 100, " %"), "shows what wrk's preemptions cost", "—")
    half_p99 = num("rs256_half_p99")
    row(f"1 · p99 at half the ceiling (paced: exponential gaps, in wrk's whole milliseconds), median of {r.get('rs256_rounds', '?')} rounds",
        f"p99 {ms(half_p99)} (rounds: {slashes('rs256_half_p99_rounds', 2)} ms), p50 {ms(num('rs256_half_p50'))} "
        f"at {rate(num('rs256_half_rate'))} (asked {rate(num('rs256_half_target_rate'))}; failed: {r.get('rs256_half_failed', '?')})",
        "3 ms", fmt_ratio(ratio(half_p99, 3.0)), "≤ 3 ms", met(half_p99 <= 3.0))
    floor_per_thread = num("floor_per_thread_p99")
    floor_shared = num("floor_shared_p99")
    row("1 · its floor: the same paced load, in the same rounds, on raw OpenSSL signatures behind the thinnest HTTP server (`bench/sign_server.cpp`)",
        f"a queue per thread, as tessera's event loops: p99 {ms(floor_per_thread)} (rounds: {slashes('floor_per_thread_p99_rounds', 2)} ms); "
        f"one queue for both cores: p99 {ms(floor_shared)} (rounds: {slashes('floor_shared_p99_rounds', 2)} ms)",
        f"tessera's p99 above: {ms(half_p99)}",
        f"tessera / queue per thread: {fmt_ratio(ratio(half_p99, floor_per_thread))}; / one queue: {fmt_ratio(ratio(half_p99, floor_shared))}",
        "shows what this machine and wrk's pacing allow", "—")
    es = num("es256_tokens")
    ecdsa = num("openssl_ecdsap256_signs")
    healthz = num("healthz_rate")
    row("1 · `/oauth/token` ES256, keep-alive, 64 connections",
        f"{rate(es)} tokens (failed: {r.get('es256_failed', '?')}); the server used {num('es256_server_cores'):.2f} of the 2 cores",
        f"`openssl speed -multi 2 ecdsap256`: {rate(ecdsa)} signs; tessera `GET /healthz`: {rate(healthz)}",
        f"{fmt_ratio(ratio(es, ecdsa) * 100, ' %')} of the signs; {fmt_ratio(ratio(es, healthz) * 100, ' %')} of `/healthz`",
        "report", "—")
    rs_pair = (rs + num("rs256_again_tokens")) / 2
    peer_rs = num("peer_RS256_tokens")
    row("2 · against node-oidc-provider, RS256",
        f"tessera {rate(rs_pair)} (mean of the runs before and after the peer's)",
        f"oidc-provider {r.get('peer_version', '?')}, cluster of 2: {rate(peer_rs)} (failed: {r.get('peer_RS256_failed', '?')})",
        fmt_ratio(ratio(rs_pair, peer_rs)), "≥ 1.5×", met(ratio(rs_pair, peer_rs) >= 1.5))
    es_pair = (es + num("es256_again_tokens")) / 2
    peer_es = num("peer_ES256_tokens")
    row("2 · against node-oidc-provider, ES256",
        f"tessera {rate(es_pair)}",
        f"oidc-provider: {rate(peer_es)} (failed: {r.get('peer_ES256_failed', '?')})",
        fmt_ratio(ratio(es_pair, peer_es)), "≥ 3×", met(ratio(es_pair, peer_es) >= 3.0))
    statements = num("rs256_statements")
    tokens = num("rs256_tokens_counted")
    misses = num("rs256_misses")
    row("3 · SQL statements per token, warm client",
        f"{statements:.0f} statements for {tokens:,.0f} tokens = {ratio(statements, tokens):.6f} per token; "
        f"client cache misses: {misses:.0f}",
        "0 (every statement of the run is the background flush of `last_used_time`)",
        f"{ratio(statements, tokens):.6f}",
        "0 on the request path", met(misses == 0 and ratio(statements, tokens) < 0.001))
    visible = num("last_used_visible_after")
    flush = num("last_used_flush_interval")
    row("3 · `last_used_time` read back via the management API",
        f"reached the last request {visible:.1f} s after it (stored value within "
        f"{num('last_used_error'):.2f} s of it)",
        f"flush interval {flush:.0f} s", fmt_ratio(ratio(visible, flush)),
        "within the flush interval, +1 s for the write and the polling", met(visible <= flush + 1.0))
    big = num("scale_big_tokens")
    small = num("scale_10_tokens")
    clients = num("scale_clients")
    row(f"4 · {clients:,.0f} clients in SQLite, requests spread over all",
        f"{rate(big)} tokens, mean of {r.get('rs256_rounds', '?')} rounds (cache misses: {num('scale_big_miss_ratio') * 100:.0f} %, "
        f"failed: {r.get('scale_big_failed', '?')}); RSS {num('scale_rss_big') / 2**20:.0f} MiB with "
        f"`--client-cache-entries {num('scale_cache_entries'):,.0f}`; before the rounds, "
        f"{num('scale_warmup_seconds'):.0f} s of the same load filled the cache to "
        f"{num('scale_cached_after_warmup'):,.0f} entries at {rate(num('scale_warmup_tokens'))}",
        f"same server, 10 clients, before and after each round: {rate(small)} (RSS {num('scale_rss_10') / 2**20:.0f} MiB)",
        f"{fmt_ratio(ratio(big, small) * 100, ' %')} (rounds: {slashes('scale_round_ratios', 2, 100)})",
        "≥ 90 %", met(ratio(big, small) >= 0.9))
    cached = num("sdk_cached_per_s")
    uncached = num("sdk_uncached_per_s")
    bare = num("sdk_openssl_per_s")
    row("5 · SDK `Verifier::verify`, repeated RS256 token, one core (CPU time, interleaved)",
        f"with `token_cache_entries`: {rate(cached)} ({num('sdk_cached_us'):.2f} µs each)",
        f"without: {rate(uncached)}", fmt_ratio(ratio(cached, uncached)), "≥ 10×",
        met(ratio(cached, uncached) >= 10))
    row("5 · SDK uncached path vs a bare OpenSSL verify, one core",
        f"{rate(uncached)}", f"`EVP_DigestVerifyInit` + `EVP_DigestVerify`: {rate(bare)}",
        fmt_ratio(ratio(uncached, bare) * 100, " %"), "≥ 85 %", met(ratio(uncached, bare) >= 0.85))
    dep = num("deployments_rate")
    health = num("health_rate")
    row("6 · `deploy_api` `GET /deployments`, distinct valid RS256 tokens, one core",
        f"{rate(dep)} (failed: {r.get('deployments_failed', '?')}; {num('deploy_tokens'):,.0f} distinct tokens)",
        f"its public `GET /health`: {rate(health)}", fmt_ratio(ratio(dep, health) * 100, " %"),
        "report", "—")
    reg = num("register_rate")
    row("7 · registering API clients over HTTP, 16 concurrent callers, SQLite",
        f"{rate(reg)} (p99 {ms(num('register_p99'))}; failed: {r.get('register_failed', '?')}; "
        f"`database is locked` in the log: {r.get('register_locked', '?')})",
        "1,000/s", fmt_ratio(ratio(reg, 1000)),
        "≥ 1,000/s, none locked",
        met(reg >= 1000 and num("register_failed") == 0 and num("register_locked") == 0))

    out = [BEGIN, ""]
    out.append(
        f"Run of {r.get('started', '?')}–{r.get('finished', '?')}: {r.get('cpu', '?').replace('_', ' ')}, "
        f"2 cores, OpenSSL {r.get('openssl_version', '?')}, Node.js {r.get('node_version', '?')}. "
        f"**Load average (1/5/15 min) at the start: {r.get('load_start', '?').replace('/', ' / ')}; "
        f"at the end: {r.get('load_end', '?').replace('/', ' / ')}** (other work on the machine; "
        f"everything the harness starts ran at niceness {r.get('nice', '?')}).")
    out.append("")
    out.append("| scenario | figure | reference (same run) | ratio | target | met |")
    out.append("|---|---|---|---|---|---|")
    out.extend(rows)
    out.append("")
    out.append("Cost growth (`/oauth/token`, RS256, one warm client, closed loop):")
    out.append("")
    out.append("| connections | tokens/s | p99 | failed |")
    out.append("|---|---|---|---|")
    for c in (1, 16, 64, 256):
        out.append(f"| {c} | {rate(num(f'growth_{c}_tokens'))} | {ms(num(f'growth_{c}_p99'))} | "
                   f"{r.get(f'growth_{c}_failed', '?')} |")
    out.append("")
    out.append("Listing an organization's clients (`GET …/clients?page_size=10`, first page with "
               "`total_size`, one connection):")
    out.append("")
    out.append("| clients in the organization | p50 | p99 |")
    out.append("|---|---|---|")
    for key, label in (("10", "10"), ("10k", "10,000"), ("big", f"{clients:,.0f}")):
        out.append(f"| {label} | {ms(num(f'list_{key}_p50'))} | {ms(num(f'list_{key}_p99'))} |")
    out.append("")
    out.append(f"Seeding: {r.get('seed_log', '?').replace('_', ' ')}; database file "
               f"{num('db_bytes') / 2**20:,.0f} MiB.")
    for title, name in (
            ("Profile of `tessera serve` under the RS256 load (`perf record -g`, self time, by "
             "shared object)", "profile-dso.txt"),
            ("Top entries outside libcrypto, RS256 (self time, share of all samples)",
             "profile-top.txt"),
            ("Profile under the ES256 load, by shared object", "profile-es-dso.txt"),
            ("Top entries outside libcrypto, ES256 (self time, share of all samples)",
             "profile-es.txt")):
        path = os.path.join(work, name)
        if os.path.exists(path) and os.path.getsize(path) > 0:
            out.append("")
            out.append(f"{title}:")
            out.append("")
            out.append("```")
            with open(path) as f:
                out.extend(line.rstrip() for line in f)
            out.append("```")
    out.append("")
    out.append(END)
    block = "\n".join(out) + "\n"

    text = open(doc_path).read() if os.path.exists(doc_path) else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END + "\n")
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(doc_path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
