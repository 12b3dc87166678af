"""Each worker follows the registry: it reloads when the registry's choice differs from what it
serves, and does not retry a target that failed until the choice changes."""

from __future__ import annotations

import pytest

from bentos.config import ServeSettings
from bentos.registry_follow import DEFAULT_FOLLOW_S, RegistryFollower


class FakeService:
    def __init__(self, registry: str, serving: str, broken: set[str] = frozenset()) -> None:
        self.registry, self.serving, self.broken, self.reloads = registry, serving, set(broken), 0

    def reload(self) -> None:
        self.reloads += 1
        if self.registry in self.broken:
            raise RuntimeError(f"{self.registry} does not load")
        self.serving = self.registry

    def follower(self) -> RegistryFollower:
        return RegistryFollower(lambda: self.registry, lambda: self.serving, self.reload)


def test_a_worker_reloads_when_the_registry_chooses_another_model_and_only_then():
    service = FakeService(registry="qu-crf:a", serving="qu-crf:a")
    follower = service.follower()
    assert not follower.check() and service.reloads == 0
    service.registry = "qu-crf:b"
    assert follower.check() and service.serving == "qu-crf:b"
    assert not follower.check() and service.reloads == 1


def test_a_target_that_failed_is_not_retried_until_the_choice_changes():
    service = FakeService(registry="qu-crf:bad", serving="qu-crf:a", broken={"qu-crf:bad"})
    follower = service.follower()
    assert not follower.check() and not follower.check()
    assert service.reloads == 1 and service.serving == "qu-crf:a"
    service.registry = "qu-crf:a"  # rolled back: nothing to do
    assert not follower.check()
    service.registry = "qu-crf:c"
    assert follower.check() and service.serving == "qu-crf:c"


def test_an_unreadable_registry_keeps_the_model():
    def choice() -> str:
        raise OSError("champion log being written")

    reloads = []
    assert not RegistryFollower(choice, lambda: "qu-crf:a", lambda: reloads.append(1)).check()
    assert not reloads


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"QU_WORKERS": "1"}, 0),
        ({"QU_WORKERS": "2"}, DEFAULT_FOLLOW_S),
        ({"QU_WORKERS": "2", "QU_FOLLOW_REGISTRY_S": "0"}, 0),
        ({"QU_FOLLOW_REGISTRY_S": "3"}, 3),
    ],
)
def test_workers_follow_the_registry_by_default_only_when_reload_cannot_reach_them_all(monkeypatch, env, expected):
    for name in ("QU_WORKERS", "QU_FOLLOW_REGISTRY_S"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ServeSettings.from_env().follow_registry_s == expected
