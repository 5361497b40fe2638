from django.urls import path

from accounts import settings_views, views

app_name = "accounts"

urlpatterns = [
    path("workspaces/switch", views.switch_workspace, name="switch_workspace"),
    path("workspaces/new", views.workspace_create, name="workspace_create"),
    path("team", views.team, name="team"),
    path("team/invitations", views.invite_create, name="invite_create"),
    path("team/invitations/<int:pk>/revoke", views.invite_revoke, name="invite_revoke"),
    path("team/members/<int:pk>/role", views.member_role, name="member_role"),
    path("team/members/<int:pk>/remove", views.member_remove, name="member_remove"),
    path("invite/<str:token>", views.invite_accept, name="invite_accept"),
    path("api-keys", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke", views.api_key_revoke, name="api_key_revoke"),
    path("minutes", views.minutes, name="minutes"),
    path("settings", settings_views.workspace_settings, name="settings"),
]
