from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from accounts import views as accounts_views
from clipsite import errors, signed_media, views
from clipsite.health import healthz

api_patterns = [
    path("workspaces", accounts_api.WorkspaceList.as_view(), name="workspaces"),
    path("workspaces/<str:workspace_id>", accounts_api.WorkspaceDetail.as_view(), name="workspace"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("media/signed/<str:token>", signed_media.serve, name="signed_media"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("signup", accounts_views.signup, name="signup"),
    path("login", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("", accounts_views.home, name="home"),
    path("", include("accounts.urls")),
    *(
        path(f"{name}/", include(([path("", views.section, {"section": name}, name="list")], name)))
        for name in views.SECTIONS
    ),
]

handler404 = errors.not_found
handler500 = errors.server_error
handler403 = errors.permission_denied
