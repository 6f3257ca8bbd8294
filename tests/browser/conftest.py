"""Browser tests: ``in_namespace/`` (WebRTC mode) runs only inside the test's own network
namespace, started by ``test_webrtc_in_namespace.py`` (see :mod:`tests.support.netns`)."""

from __future__ import annotations

from tests.support.netns import inside_network_namespace

collect_ignore_glob = [] if inside_network_namespace() else ["in_namespace/*"]
