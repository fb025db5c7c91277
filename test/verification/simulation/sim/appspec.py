"""The AppSpec file of an EC2/on-premises revision, judged against CodeDeploy's AppSpec reference
(reference-appspec-file-structure*: version, os, files, permissions, hooks, file_exists_behavior),
and the order in which an in-place deployment runs its lifecycle events."""
from typing import Any, Dict, List, Set, Tuple

import yaml

TOP_LEVEL = {'version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior'}
# The scriptable lifecycle events of an EC2/on-premises deployment ("List of lifecycle event hooks").
EVENTS = ['BeforeBlockTraffic', 'AfterBlockTraffic', 'ApplicationStop', 'BeforeInstall', 'AfterInstall',
          'ApplicationStart', 'ValidateService', 'BeforeAllowTraffic', 'AfterAllowTraffic']
# "Start, DownloadBundle, Install, BlockTraffic, AllowTraffic and End ... cannot be scripted."
RESERVED = {'Start', 'DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic', 'End'}
# "3600 seconds (1 hour) is the maximum amount of time allowed for script execution for each deployment lifecycle event."
MAX_EVENT_SECONDS = 3600


def validate(text: str, bundle_files: Set[str]) -> Tuple[Dict[str, Any], List[str]]:
    """The parsed file and what breaks the reference (empty when nothing does)."""
    problems: List[str] = []
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return {}, [f'not YAML: {e}']
    if not isinstance(spec, dict):
        return {}, ['not a YAML mapping']
    for key in spec:
        if key not in TOP_LEVEL:
            problems.append(f'unknown section {key!r}')
    if spec.get('version') not in (0.0, '0.0'):
        problems.append(f'version must be 0.0, got {spec.get("version")!r}')
    os_ = spec.get('os')
    if os_ not in ('linux', 'windows'):
        problems.append(f'os must be linux or windows, got {os_!r}')
    if spec.get('file_exists_behavior') not in (None, 'DISALLOW', 'OVERWRITE', 'RETAIN'):
        problems.append(f'file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN, got {spec["file_exists_behavior"]!r}')
    dirs = {p.rsplit('/', 1)[0] for p in bundle_files if '/' in p}
    for i, entry in enumerate(spec.get('files') or []):
        if not isinstance(entry, dict) or 'source' not in entry or 'destination' not in entry:
            problems.append(f'files[{i}] needs source and destination')
            continue
        src, dest = str(entry['source']), str(entry['destination'])
        if src != '/' and src.strip('/') not in bundle_files and src.strip('/') not in dirs \
                and not any(d.startswith(src.strip('/') + '/') for d in dirs):
            problems.append(f'files[{i}].source {src!r} is not in the bundle')
        if os_ == 'linux' and not dest.startswith('/'):
            problems.append(f'files[{i}].destination {dest!r} is not an absolute path')
    hooks = spec.get('hooks') or {}
    if not isinstance(hooks, dict):
        problems.append('hooks must be a mapping of lifecycle events to scripts')
        hooks = {}
    for event, scripts in hooks.items():
        if event in RESERVED:
            problems.append(f'hooks.{event} is not scriptable')
            continue
        if event not in EVENTS:
            problems.append(f'hooks.{event} is not a lifecycle event of an EC2/on-premises deployment')
            continue
        if not isinstance(scripts, list):
            problems.append(f'hooks.{event} must be a list of scripts')
            continue
        total = 0
        for j, script in enumerate(scripts):
            where = f'hooks.{event}[{j}]'
            if not isinstance(script, dict) or 'location' not in script:
                problems.append(f'{where} needs a location')
                continue
            unknown = set(script) - {'location', 'timeout', 'runas'}
            if unknown:
                problems.append(f'{where} has unknown keys {sorted(unknown)}')
            if str(script['location']).lstrip('/') not in bundle_files:
                problems.append(f'{where}.location {script["location"]!r} is not in the bundle')
            timeout = script.get('timeout', MAX_EVENT_SECONDS)
            if not isinstance(timeout, int) or not 1 <= timeout <= MAX_EVENT_SECONDS:
                problems.append(f'{where}.timeout must be whole seconds from 1 to 3600, got {timeout!r}')
                timeout = MAX_EVENT_SECONDS
            total += timeout
            if 'runas' in script and os_ == 'windows':
                problems.append(f'{where}.runas applies to Linux instances only')
        if total > MAX_EVENT_SECONDS:
            problems.append(f'hooks.{event}: its scripts may take {total} seconds, more than {MAX_EVENT_SECONDS}')
    return spec, problems


def run_order(traffic: bool) -> List[str]:
    """The events an instance's first in-place deployment runs scripts for (and Install, the copy)."""
    events = ['BeforeInstall', 'Install', 'AfterInstall', 'ApplicationStart', 'ValidateService']
    return events + (['BeforeAllowTraffic', 'AfterAllowTraffic'] if traffic else [])
