"""IAM policy evaluation for the first-run simulation.

Evaluates one request (action, resource ARN, request context) against identity policies and the
resource's policy as IAM does within one account: an explicit Deny in any of them wins; otherwise
an Allow is needed in the identity policies (same-account resource policies may allow too).
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
    if principal == '*':
        return True
    if not isinstance(principal, dict):
        return False
    for kind, ids in principal.items():
        for p in _as_list(ids):
            if p == '*':
                return True
            if kind == 'AWS' and (p == principal_arn or p in (account, f'arn:aws:iam::{account}:root')):
                return True
    return False


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
             principal_arn: str = '', account: str = '') -> Decision:
    """The decision for one request: explicit deny, allow, or implicit deny."""
    principal = (principal_arn, account)
    allow = None
    for policy in identity_policies:
        for st in _statements(policy):
            if statement_applies(st, action, resource, context):
                if st.get('Effect') == 'Deny':
                    return Decision(False, 'explicit deny in an identity policy', st)
                allow = allow or st
    for policy in resource_policies or []:
        for st in _statements(policy):
            if statement_applies(st, action, resource, context, principal):
                if st.get('Effect') == 'Deny':
                    return Decision(False, 'explicit deny in the resource policy', st)
                # A same-account resource policy that names the role itself allows on its own.
                if st.get('Principal') not in (None, '*') and _principal_matches(st['Principal'], principal_arn, '-'):
                    allow = allow or st
    if allow is not None:
        return Decision(True, 'allowed', allow)
    return Decision(False, 'no statement allows it (implicit deny)')
