"""Entry point of the first-run simulation (test/verification/simulation.sh runs it).

    python -m sim.main <synth dir with examples.json> <out dir> [example ...]

Runs the self-tests first (a policy without a needed action must fail a real CLI call; the
cross-account fixture must pass, and fail for each cross-account grant taken out), then every
example pipeline; prints a per-pipeline summary and `simulation: N passed, N failed`;
writes <out>/summary.json. Exits non-zero when any pipeline has a denied call or a failed step.
"""
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from sim import selftest  # noqa: E402
from sim.runner import Simulation  # noqa: E402


def summarize(result) -> str:
    lines = [f'--- {result["name"]}: {"OK" if result["ok"] else "FAILED"} '
             f'({result["calls"]} calls and permission checks, {len(result["denied"])} denied, {result["seconds"]} s)']
    actions_run = []
    for s in result['steps']:
        if s['step'] not in actions_run:
            actions_run.append(s['step'])
    lines.append('    actions run: ' + ', '.join(actions_run))
    seen = set()
    for d in result['denied']:
        req = next((r for r in d.get('requests', []) if not r.get('allowed')), {})
        key = (d.get('role'), req.get('action'), req.get('resource'), d.get('reason'))
        if key in seen:
            continue
        seen.add(key)
        via = d.get('what') or f'aws {d.get("service")} {d.get("operation")}'
        if d.get('unmapped'):
            lines.append(f'    DENIED  [{d.get("step")}] {d.get("role")}: {via}: {d.get("reason")}')
        else:
            lines.append(f'    DENIED  [{d.get("step")}] {d.get("role")}: {req.get("action")} on {req.get("resource")} '
                         f'({via}; {d.get("reason")})')
    for w in sorted({(c.get('step'), c['warning']) for c in result.get('warnings', [])}):
        lines.append(f'    WARNING [{w[0]}] {w[1]}')
    for s in result['steps']:
        if not s['ok']:
            detail = (s.get('detail') or '').strip().splitlines()
            lines.append(f'    FAILED  [{s["step"]}] {s["what"]}' + (f': {detail[-1]}' if detail else ''))
    if result['failure']:
        lines.append(f'    first failure (CodePipeline would stop here): {result["failure"].splitlines()[0]}')
    return '\n'.join(lines)


def main(argv) -> int:
    synth_dir, out_dir = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    only = argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    python_bin = sys.executable
    passed = failed = 0
    results = []

    print('=== self-test: the IAM evaluator')
    ok, message = selftest.evaluator()
    print(('    ok: ' if ok else '    FAILED: ') + message)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)

    print('=== self-test: a policy without the needed action must fail the call')
    ok, message = selftest.run(os.path.join(out_dir, 'selftest'), python_bin)
    print(('    ok: ' if ok else '    FAILED: ') + message)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)

    print('=== self-test: cross-account evaluation (identity and resource policy, key policy, trust policy)')
    ok, message = selftest.cross_account_evaluator()
    print(('    ok: ' if ok else '    FAILED: ') + message)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)

    fixture = os.path.join(synth_dir, 'selftest-cross-account')
    if os.path.isdir(fixture):
        print('=== self-test: the cross-account fixture (tools 111111111111, staging 222222222222, production 333333333333 in eu-west-1)',
              flush=True)
        try:
            checks = selftest.cross_account(fixture, os.path.join(out_dir, 'selftest-cross-account'), python_bin)
        except Exception as e:  # noqa: BLE001 - a crash of the self-test is its failure
            traceback.print_exc()
            checks = [('the cross-account fixture runs', False, f'simulation error: {e}')]
        for what, ok, message in checks:
            print(('    ok: ' if ok else '    FAILED: ') + f'{what}: {message}', flush=True)
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    else:
        print(f'=== self-test: the cross-account fixture: FAILED: {fixture} was not synthesized')
        failed += 1

    with open(os.path.join(synth_dir, 'examples.json'), encoding='utf-8') as f:
        examples = json.load(f)

    lambda_app = next((e for e in examples if e['name'] == 'lambda-app'), None)
    if lambda_app:
        print('=== self-test: lambda-app with lambda:UpdateAlias taken out of every policy must fail at its first deploy')
        ok, message = selftest.pipeline_without_action(lambda_app['dir'], os.path.join(out_dir, 'selftest-pipeline'),
                                                       python_bin, 'lambda:UpdateAlias')
        print(('    ok: ' if ok else '    FAILED: ') + message, flush=True)
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    server_app = next((e for e in examples if e['name'] == 'server-app'), None)
    if server_app:
        print('=== self-test: server-app with autoscaling:PutLifecycleHook taken out of every policy must fail at its first deploy')
        ok, message = selftest.pipeline_without_action(server_app['dir'], os.path.join(out_dir, 'selftest-server'),
                                                       python_bin, 'autoscaling:PutLifecycleHook')
        print(('    ok: ' if ok else '    FAILED: ') + message, flush=True)
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    print('=== self-test: the AppSpec reference check rejects what CodeDeploy rejects')
    ok, message = selftest.appspec_cases()
    print(('    ok: ' if ok else '    FAILED: ') + message, flush=True)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    for ex in examples:
        if only and ex['name'] not in only:
            continue
        print(f'=== {ex["name"]}: {ex["title"]}', flush=True)
        # The coverage app's vulnerability gate runs as in a registry with Amazon Inspector enhanced scanning.
        scan_type = 'ENHANCED' if ex['name'] == 'coverage-app' else 'BASIC'
        try:
            app_results = Simulation(ex['name'], ex['dir'], os.path.join(out_dir, ex['name']), python_bin,
                                     registry_scan_type=scan_type).run()
        except Exception as e:  # noqa: BLE001 - a crash of the simulation is a failure, with its trace
            traceback.print_exc()
            app_results = [{'name': ex['name'], 'ok': False, 'steps': [], 'calls': 0, 'denied': [], 'seconds': 0,
                            'failure': f'simulation error: {e}'}]
        for result in app_results:
            results.append(result)
            print(summarize(result), flush=True)
            passed, failed = (passed + 1, failed) if result['ok'] else (passed, failed + 1)

    with open(os.path.join(out_dir, 'summary.json'), 'w', encoding='utf-8') as f:
        json.dump(results, f, indent=1, default=str)
    print(f'\nsimulation: {passed} passed, {failed} failed')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
