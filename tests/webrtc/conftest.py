"""WebRTC tests: ``in_namespace/`` runs only inside the test's own network namespace.

``test_in_namespace.py`` starts a child pytest for each module there under ``unshare -n``
(see :mod:`tests.support.netns`); collected anywhere else those modules would meet on this
machine's real interface addresses, so outside the namespace they are not collected at all.
"""

from __future__ import annotations

from tests.support.netns import inside_network_namespace

collect_ignore_glob = [] if inside_network_namespace() else ["in_namespace/*"]
