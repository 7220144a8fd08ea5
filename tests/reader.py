"""The operator tests read state as: every role, so any query service lets them in.

Query services check the reader's roles (services/common.require_read) but write nothing as
them, so a test that only looks at what an action did need not log anyone in to look.
"""

from order_tui.domain.roles import Role
from order_tui.services.common import Actor

READER = Actor(id=0, username="reader", display_name="测试读者", roles=frozenset(Role))
