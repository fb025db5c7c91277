"""`docker` in the simulated build (there is no Docker engine here).

Records every command. What it does that AWS sees is checked and, where the emulator serves it,
made real:
  docker login ... --password-stdin HOST   fails like docker when the password is empty (the
                                           `aws ecr get-login-password` before it was denied)
  docker buildx build --push --tag URI     the registry calls of a push, as the build role:
    --cache-from/--cache-to type=registry  layer upload permissions checked on the repository,
                                           then `aws ecr put-image` (real CLI, so the call is
                                           authorized and the emulator then holds the image:
                                           describe-images returns its digest)
  docker buildx use/create, others         succeed (no engine-side effect to simulate)
"""
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sim_plugin  # noqa: E402
from sim import actions  # noqa: E402

PUSH = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']
PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']
URI = re.compile(r'^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)(?::([^@]+))?$')
STATE = os.path.join(os.environ.get('SIM_WORK', '/tmp'), 'docker-state.json')


def log(msg):
    print(f'[sim docker] {msg}', file=sys.stderr)


def state():
    try:
        with open(STATE, encoding='utf-8') as f:
            return json.load(f)
    except OSError:
        return {'builders': [], 'logins': [], 'images': []}


def save(s):
    with open(STATE, 'w', encoding='utf-8') as f:
        json.dump(s, f)


def check(requested, what):
    with open(os.environ['SIM_BUNDLE'], encoding='utf-8') as f:
        bundle = json.load(f)
    role = os.environ['SIM_ROLE']
    ok, results = sim_plugin.authorize(bundle, role, requested)
    with open(os.environ['SIM_LOG'], 'a', encoding='utf-8') as f:
        for r in results:
            f.write(json.dumps({'role': role, 'step': os.environ.get('SIM_STEP', ''), 'service': 'ecr',
                                'account': os.environ.get('SIM_ACCOUNT'), 'region': os.environ.get('AWS_REGION'),
                                'operation': r['action'].split(':')[1], 'permissionCheck': True, 'what': what,
                                'allowed': r['allowed'], 'requests': [r], 'reason': r['reason']}) + '\n')
    for r in results:
        if not r['allowed']:
            log(f'denied: {r["action"]} on {r["resource"]} ({r["reason"]})')
    return ok


def warn(message):
    log(f'warning: {message}')
    with open(os.environ['SIM_LOG'], 'a', encoding='utf-8') as f:
        f.write(json.dumps({'role': os.environ.get('SIM_ROLE', ''), 'step': os.environ.get('SIM_STEP', ''),
                            'service': 'docker', 'operation': 'buildx', 'allowed': True, 'warning': message}) + '\n')


def repo_arn(uri):
    m = URI.match(uri)
    if not m:
        return None, None, None
    account, region, repo, tag = m.groups()
    return f'arn:aws:ecr:{region}:{account}:repository/{repo}', repo, tag


def put_image(repo, tag, uri):
    config = hashlib.sha256(f'{uri}'.encode()).hexdigest()
    manifest = json.dumps({
        'schemaVersion': 2, 'mediaType': 'application/vnd.docker.distribution.manifest.v2+json',
        'config': {'mediaType': 'application/vnd.docker.container.image.v1+json', 'size': 100, 'digest': f'sha256:{config}'},
        'layers': [{'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'size': 100,
                    'digest': 'sha256:' + hashlib.sha256(f'layer-{uri}'.encode()).hexdigest()}],
    })
    proc = subprocess.run(['aws', 'ecr', 'put-image', '--repository-name', repo, '--image-tag', tag,
                           '--image-manifest', manifest], capture_output=True, text=True)
    if proc.returncode != 0:
        log(f'push of {uri} failed: {proc.stderr.strip()}')
        return False
    scan_on_push(repo, json.loads(proc.stdout)['image']['imageId']['imageDigest'])
    return True


def scan_on_push(repo, digest):
    """ECR starts a scan on push (the repository's scanOnPush, or enhanced scanning of the registry).

    ECR does that itself, not as the build's role; the emulator does not, so it is started here with
    the emulator's own credentials. An imported repository is taken as not scanning on push.
    """
    with open(os.environ['SIM_BUNDLE'], encoding='utf-8') as f:
        bundle = json.load(f)
    if bundle.get('registryScanType') != 'ENHANCED' and not bundle.get('scanOnPush', {}).get(repo):
        log(f'no scan on push for {repo}: the registry scans basic and the repository does not scan on push')
        return
    import boto3
    # The caller's credentials (from the environment) place the scan in the caller's account.
    boto3.client('ecr', endpoint_url=os.environ['SIM_ENDPOINT'], region_name=os.environ.get('AWS_REGION', 'us-east-1')).start_image_scan(
        repositoryName=repo, imageId={'imageDigest': digest})
    log(f'scan on push started for {repo}@{digest}')
    # The sample image is clean: its scan finds nothing (moto's default answer is a canned finding).
    import urllib.request
    account = os.environ.get('SIM_ACCOUNT') or bundle['account']
    result = {'registryId': account, 'repositoryName': repo, 'imageId': {'imageDigest': digest},
              'imageScanStatus': {'status': 'COMPLETE', 'description': 'The scan was completed successfully.'},
              'imageScanFindings': {'findingSeverityCounts': {}, 'findings': []}}
    body = json.dumps({'results': [result], 'account_id': account,
                       'region': os.environ.get('AWS_REGION', 'us-east-1')}).encode()
    urllib.request.urlopen(urllib.request.Request(f'{os.environ["SIM_ENDPOINT"]}/moto-api/static/ecr/scan-finding-results',
                                                  data=body, headers={'Content-Type': 'application/json'}), timeout=10).read()


def parse_build(args):
    """The options of `docker build` / `docker buildx build` the simulation acts on."""
    tags, cache_from, cache_to, push = [], [], [], False
    i = 0
    while i < len(args):
        a = args[i]
        val = args[i + 1] if i + 1 < len(args) else ''
        if a in ('--tag', '-t'):
            tags.append(val)
            i += 1
        elif a == '--cache-from':
            cache_from.append(val)
            i += 1
        elif a == '--cache-to':
            cache_to.append(val)
            i += 1
        elif a == '--push' or a.startswith('--output=type=registry'):
            push = True
        elif a in ('--file', '-f', '--platform', '--build-arg', '--target', '--label', '--secret'):
            i += 1
        i += 1
    return tags, cache_from, cache_to, push


def buildx_build(args):
    tags, cache_from, cache_to, push = parse_build(args)
    if not os.path.exists(os.environ.get('CODEBUILD_SRC_DIR', '.') + '/Dockerfile') and '--file' not in args:
        log('no Dockerfile')
        return 1
    env_role_ok = True
    for ref in cache_from:
        m = re.search(r'ref=([^,]+)', ref)
        arn, repo, _ = repo_arn(m.group(1)) if m else (None, None, None)
        if arn:
            # A missing cache is not an error for buildx; a denied one is only a warning too, but
            # it is a permission the build was meant to have.
            env_role_ok &= check([actions.Request(a, arn) for a in PULL], f'buildx reads the cache {m.group(1)}')
    if not push:
        return 0 if env_role_ok else 1
    for ref in cache_to:
        m = re.search(r'ref=([^,]+)', ref)
        uri = m.group(1) if m else ''
        arn, repo, tag = repo_arn(uri)
        if arn:
            if not check([actions.Request(a, arn) for a in PUSH], f'buildx writes the cache {uri}'):
                return 1
            if not put_image(repo, tag or 'latest', uri):
                return 1
    for uri in tags:
        if push_to_ecr(uri):
            return 1
    return 0 if env_role_ok else 1


def daemon_build(args, s):
    """`docker build` on the daemon's BuildKit: images stay local until `docker push`."""
    tags, cache_from, _, _ = parse_build(args)
    if not os.path.exists(os.environ.get('CODEBUILD_SRC_DIR', '.') + '/Dockerfile') and '--file' not in args:
        log('no Dockerfile')
        return 1
    ok = True
    for ref in cache_from:
        arn, _, _ = repo_arn(ref)
        if arn:
            # A missing cache image is a warning for BuildKit; a denied one is a permission the
            # build was meant to have.
            ok &= check([actions.Request(a, arn) for a in PULL], f'docker build reads the cache {ref}')
    s.setdefault('images', []).extend(tags)
    save(s)
    return 0 if ok else 1


def push(uri, s):
    registry = uri.split('/')[0]
    if registry not in s['logins']:
        log(f'not logged in to {registry}: push denied by the registry (no basic auth credentials)')
        return 1
    if uri not in s.get('images', []):
        print(f'An image does not exist locally with the tag: {uri}', file=sys.stderr)
        return 1
    return push_to_ecr(uri)


def push_to_ecr(uri):
    """Push one image to the emulator's ECR as the build's role; 0 when pushed."""
    arn, repo, tag = repo_arn(uri)
    if not arn:
        log(f'not an ECR image: {uri}')
        return 1
    if not check([actions.Request(a, arn) for a in PUSH], f'docker push {uri}'):
        log(f'push of {uri} denied')
        return 1
    if not put_image(repo, tag or 'latest', uri):
        return 1
    log(f'pushed {uri}')
    return 0


def main(argv):
    log(' '.join(argv))
    s = state()
    if not argv:
        return 0
    if argv[0] == 'login':
        password = sys.stdin.read().strip() if '--password-stdin' in argv else ''
        if not password:
            print('Error: Cannot perform an interactive login from a non TTY device', file=sys.stderr)
            return 1
        s['logins'].append(argv[-1])
        save(s)
        print('Login Succeeded')
        return 0
    if argv[:2] == ['buildx', 'use']:
        return 0 if argv[-1] in s['builders'] else 1
    if argv[:2] == ['buildx', 'create']:
        name = argv[argv.index('--name') + 1] if '--name' in argv else 'builder'
        if '--driver' in argv and argv[argv.index('--driver') + 1] == 'docker-container' and not any(
                a.startswith('image=') or '--driver-opt' == a for a in argv):
            # Not a permission: a risk the run would meet on every fresh build host.
            warn('docker buildx create --driver docker-container pulls moby/buildkit from Docker Hub anonymously '
                 '(shared-IP pull rate limits on CodeBuild hosts)')
        s['builders'].append(name)
        save(s)
        return 0
    if argv[0] == 'build' and '--push' not in argv:
        return daemon_build(argv[1:], s)
    if argv[0] == 'tag' and len(argv) == 3:
        if argv[1] not in s.get('images', []):
            print(f'Error response from daemon: No such image: {argv[1]}', file=sys.stderr)
            return 1
        s['images'].append(argv[2])
        save(s)
        return 0
    if argv[0] == 'push' and len(argv) == 2:
        return push(argv[1], s)
    if argv[:2] == ['buildx', 'build'] or argv[0] == 'build':
        rest = argv[2:] if argv[0] == 'buildx' else argv[1:]
        if '--push' in rest:
            registry = next((t.split('/')[0] for t in [rest[rest.index('--tag') + 1]] if '--tag' in rest), '')
            if registry and registry not in s['logins']:
                log(f'not logged in to {registry}: push denied by the registry (no basic auth credentials)')
                return 1
        return buildx_build(rest)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
