"""IAM policy evaluation for the first-run simulation.

Evaluates one request (action, resource ARN, request context) against identity policies and the
resource's policy as IAM does (IAM user guide, "Policy evaluation logic" and "Cross-account policy
evaluation logic"): an explicit Deny in any of them wins; otherwise
  - same account: an Allow in the identity policies, or a resource policy statement that names
    the principal itself (a statement naming the account root only delegates to IAM);
  - across accounts (the resource's account is not the principal's): an Allow in the identity
    policies AND in the resource policy (naming the principal, its account root or `*`);
  - a KMS key policy and a role's trust policy (`resource_policy_required`) must always allow:
    in the key's or role's own account a statement naming the account root delegates to the
    identity policies (which must then allow), one naming the principal allows on its own.
Supported: Action/NotAction and Resource/NotResource with `*` and `?` wildcards (actions case-
insensitively), Principal/NotPrincipal (for resource policies), and the condition operators
String*, Arn*, Bool, Null, Numeric*, with the ForAnyValue:/ForAllValues: set prefixes and the
...IfExists suffix. Anything the evaluator does not know (an operator, a policy variable) does
not match, so an unknown construct never grants.
"""
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

Context = Dict[str, Any]


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's `*` (any run, `/` and `:` included) and `?` (one character) matching."""
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    if '${' in pattern:
        # Policy variables are not resolved here: never match rather than guess.
        return False
    regex = '^' + ''.join('.*' if c == '*' else '.' if c == '?' else re.escape(c) for c in pattern) + '$'
    return re.match(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(_wildcard(p, action, ignore_case=True) for p in patterns)


def arn_matches(pattern: str, arn: str) -> bool:
    """ArnLike semantics: each of the six colon-separated parts is matched on its own."""
    if pattern == '*':
        return True
    p_parts = pattern.split(':', 5)
    a_parts = arn.split(':', 5)
    if len(p_parts) != 6 or len(a_parts) != 6:
        return _wildcard(pattern, arn)
    return all(_wildcard(p, a) for p, a in zip(p_parts, a_parts))


def resource_matches(patterns: Iterable[str], arn: str) -> bool:
    return any(arn_matches(p, arn) for p in patterns)


# --- conditions -----------------------------------------------------------------------------

def _num(v: Any) -> Optional[float]:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _bool(v: Any) -> Optional[str]:
    s = str(v).lower()
    return s if s in ('true', 'false') else None


_NEGATED = {'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike', 'NumericNotEquals'}


def _single(op: str, policy_value: Any, request_value: Any) -> Optional[bool]:
    """One request value against one policy value; None for an unknown operator."""
    pv, rv = policy_value, request_value
    if op == 'StringEquals':
        return isinstance(rv, str) and str(pv) == rv
    if op == 'StringEqualsIgnoreCase':
        return isinstance(rv, str) and str(pv).lower() == rv.lower()
    if op == 'StringLike':
        return isinstance(rv, str) and _wildcard(str(pv), rv)
    if op in ('ArnEquals', 'ArnLike'):
        return isinstance(rv, str) and arn_matches(str(pv), rv)
    if op == 'Bool':
        return _bool(pv) is not None and _bool(pv) == _bool(rv)
    if op.startswith('Numeric'):
        a, b = _num(rv), _num(pv)
        if a is None or b is None:
            return False
        return {
            'NumericEquals': a == b, 'NumericLessThan': a < b, 'NumericLessThanEquals': a <= b,
            'NumericGreaterThan': a > b, 'NumericGreaterThanEquals': a >= b,
        }.get(op)
    return None


_POSITIVE_OF = {
    'StringNotEquals': 'StringEquals', 'StringNotEqualsIgnoreCase': 'StringEqualsIgnoreCase',
    'StringNotLike': 'StringLike', 'ArnNotEquals': 'ArnEquals', 'ArnNotLike': 'ArnLike',
    'NumericNotEquals': 'NumericEquals',
}


def _condition(operator: str, key: str, policy_values: Any, context: Context) -> bool:
    qualifier = None
    op = operator
    if ':' in op:
        qualifier, op = op.split(':', 1)
    if_exists = op.endswith('IfExists')
    if if_exists:
        op = op[: -len('IfExists')]
    lowered = {k.lower(): v for k, v in context.items()}
    present = key.lower() in lowered
    values = _as_list(policy_values)
    if op == 'Null':
        # Null: true means "the key is absent".
        return any((_bool(v) == 'true') == (not present) for v in values)
    if not present:
        if if_exists:
            return True
        if qualifier == 'ForAllValues':
            return True
        if qualifier == 'ForAnyValue':
            return False
        return op in _NEGATED
    request_values = _as_list(lowered[key.lower()])
    negated = op in _NEGATED
    base = _POSITIVE_OF.get(op, op)

    def any_match(rv: Any) -> Optional[bool]:
        results = [_single(base, pv, rv) for pv in values]
        if any(r is None for r in results):
            return None
        return any(results)

    matches = [any_match(rv) for rv in request_values]
    if any(m is None for m in matches):
        return False  # unknown operator: never matches
    if qualifier == 'ForAllValues':
        result = all((not m) if negated else m for m in matches)
    elif qualifier == 'ForAnyValue':
        result = any((not m) if negated else m for m in matches)
    else:
        # A single-valued key (a multivalued one without a qualifier behaves as ForAnyValue).
        result = any(matches)
        result = (not result) if negated else result
    return result


def conditions_match(conditions: Optional[Dict[str, Dict[str, Any]]], context: Context) -> bool:
    for operator, keys in (conditions or {}).items():
        for key, values in keys.items():
            if not _condition(operator, key, values, context):
                return False
    return True


# --- statements and policies ------------------------------------------------------------------

def _principal_matches(principal: Any, principal_arn: str, account: str) -> bool:
    return _principal_kind(principal, principal_arn, account) is not None


def _principal_kind(principal: Any, principal_arn: str, account: str) -> Optional[str]:
    """How a statement's Principal names the caller: 'self' (its ARN or `*`), 'account' (its
    account's root or id, which delegates to the account's identity policies), or None."""
    if principal == '*':
        return 'self'
    if not isinstance(principal, dict):
        return None
    found = None
    for kind, ids in principal.items():
        for p in _as_list(ids):
            if p == '*' or (kind == 'AWS' and p == principal_arn):
                return 'self'
            if kind == 'AWS' and account and (p == account or re.fullmatch(rf'arn:aws[a-z-]*:iam::{account}:root', str(p))):
                found = 'account'
    return found


def statement_applies(st: Dict[str, Any], action: str, resource: str, context: Context,
                      principal: Optional[Tuple[str, str]] = None) -> bool:
    if 'Action' in st and not action_matches(_as_list(st['Action']), action):
        return False
    if 'NotAction' in st and action_matches(_as_list(st['NotAction']), action):
        return False
    if 'Resource' in st and not resource_matches(_as_list(st['Resource']), resource):
        return False
    if 'NotResource' in st and resource_matches(_as_list(st['NotResource']), resource):
        return False
    if principal is not None:
        arn, account = principal
        if 'Principal' in st and not _principal_matches(st['Principal'], arn, account):
            return False
        if 'NotPrincipal' in st and _principal_matches(st['NotPrincipal'], arn, account):
            return False
    return conditions_match(st.get('Condition'), context)


def _statements(policy: Dict[str, Any]) -> List[Dict[str, Any]]:
    return _as_list(policy.get('Statement'))


class Decision:
    def __init__(self, allowed: bool, reason: str, statement: Optional[Dict[str, Any]] = None):
        self.allowed = allowed
        self.reason = reason
        self.statement = statement

    def __repr__(self) -> str:
        return f'Decision({self.allowed}, {self.reason!r})'


def evaluate(identity_policies: List[Dict[str, Any]], action: str, resource: str, context: Context,
             resource_policies: Optional[List[Dict[str, Any]]] = None,
             principal_arn: str = '', account: str = '', resource_account: Optional[str] = None,
             resource_policy_required: bool = False) -> Decision:
    """The decision for one request: explicit deny, allow, or implicit deny.

    `account` is the principal's account, `resource_account` the resource's (None: the same, or
    not known); `resource_policy_required` for a KMS key policy or a role's trust policy.
    """
    principal = (principal_arn, account)
    cross = bool(resource_account and account and resource_account != account)
    identity_allow = None
    for policy in identity_policies:
        for st in _statements(policy):
            if statement_applies(st, action, resource, context):
                if st.get('Effect') == 'Deny':
                    return Decision(False, 'explicit deny in an identity policy', st)
                identity_allow = identity_allow or st
    direct_allow = account_allow = None
    for policy in resource_policies or []:
        for st in _statements(policy):
            if not statement_applies(st, action, resource, context, principal):
                continue
            if st.get('Effect') == 'Deny':
                return Decision(False, f'explicit deny in the {_resource_policy_name(action)}', st)
            named = _principal_kind(st.get('Principal'), principal_arn, account) if 'Principal' in st else None
            if named == 'self':
                direct_allow = direct_allow or st
            elif named == 'account' or 'NotPrincipal' in st:
                account_allow = account_allow or st
    policy_name = _resource_policy_name(action)
    if cross:
        where = f'account {account} calls a resource of account {resource_account}'
        if identity_allow is None:
            return Decision(False, f'no identity policy statement allows it ({where}: the identity policy must allow too)')
        if direct_allow is None and account_allow is None:
            return Decision(False, f'the {policy_name} does not allow the caller ({where}: the {policy_name} must allow too)')
        return Decision(True, f'allowed by the identity policy and the {policy_name} (cross-account)', direct_allow or account_allow)
    if resource_policy_required:
        if direct_allow is not None:
            return Decision(True, f'allowed by the {policy_name}', direct_allow)
        if account_allow is None:
            return Decision(False, f'the {policy_name} does not allow the caller (it must, even in its own account)')
        if identity_allow is None:
            return Decision(False, f'the {policy_name} delegates to the account, but no identity policy statement allows it')
        return Decision(True, f'allowed by the identity policy (the {policy_name} delegates to the account)', identity_allow)
    if identity_allow is not None:
        return Decision(True, 'allowed', identity_allow)
    if direct_allow is not None and direct_allow.get('Principal') not in (None, '*'):
        # A same-account resource policy that names the role itself allows on its own.
        return Decision(True, f'allowed by the {policy_name}', direct_allow)
    return Decision(False, 'no statement allows it (implicit deny)')


def _resource_policy_name(action: str) -> str:
    prefix = action.split(':', 1)[0].lower()
    return {'kms': 'key policy', 'sts': 'trust policy', 's3': 'bucket policy', 'ecr': 'repository policy',
            'sns': 'topic policy', 'lambda': 'function policy'}.get(prefix, 'resource policy')
