import pytest


@pytest.fixture
def ssemble_key(alice, key_for):
    """A key of alice's personal workspace, for Ssemble's X-API-Key header."""
    return key_for(alice)


@pytest.fixture
def ssemble_api(api_client, ssemble_key, clean_redis):
    """An API client sending alice's key the way Ssemble's clients do: in X-API-Key."""
    api_client.credentials(HTTP_X_API_KEY=ssemble_key)
    return api_client
