"""A missing reference package fails the test under `make test` and in CI; it skips only for a
developer running pytest by hand."""
import pytest

from conftest import missing_reference


@pytest.mark.parametrize('environment', [{'STOKER_REQUIRE_REFERENCES': '1'}, {'CI': 'true'}])
def test_fails_when_references_are_required(monkeypatch, environment):
    monkeypatch.delenv('STOKER_REQUIRE_REFERENCES', raising=False)
    monkeypatch.delenv('CI', raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match='carbon-c-relay is not installed'):
        missing_reference('carbon-c-relay is not installed')


def test_skips_for_a_developer_without_the_packages(monkeypatch):
    monkeypatch.delenv('STOKER_REQUIRE_REFERENCES', raising=False)
    monkeypatch.delenv('CI', raising=False)
    with pytest.raises(pytest.skip.Exception, match='carbon-c-relay is not installed'):
        missing_reference('carbon-c-relay is not installed')
