from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from accounts import views as accounts_views
from brands import urls as brands_urls
from clips import api as clips_api
from clips import api_bulk, api_exports, api_words
from clipsite import errors, signed_media
from clipsite.health import healthz
from videos import api as videos_api
from webhooks import urls as webhooks_urls

api_patterns = [
    path("workspaces", accounts_api.WorkspaceList.as_view(), name="workspaces"),
    path("workspaces/<str:workspace_id>", accounts_api.WorkspaceDetail.as_view(), name="workspace"),
    path("account", accounts_api.Account.as_view(), name="account"),
    path("videos", videos_api.VideoList.as_view(), name="videos"),
    path("videos/youtube", videos_api.SubmitYoutube.as_view(), name="submit_youtube"),
    path("videos/url", videos_api.SubmitUrl.as_view(), name="submit_url"),
    path("videos/upload", videos_api.SubmitUpload.as_view(), name="submit_upload"),
    path("videos/<str:video_id>", videos_api.VideoDetail.as_view(), name="video"),
    path("videos/<str:video_id>/status", videos_api.VideoStatus.as_view(), name="video_status"),
    path("videos/<str:video_id>/cancel", videos_api.VideoCancel.as_view(), name="video_cancel"),
    path("videos/<str:video_id>/clips", clips_api.VideoClips.as_view(), name="video_clips"),
    path("videos/<str:video_id>/clips/zip", api_bulk.VideoClipsZip.as_view(), name="video_clips_zip"),
    path("videos/<str:video_id>/clips/bulk", api_bulk.VideoClipsBulk.as_view(), name="video_clips_bulk"),
    path("videos/<str:video_id>/export", api_exports.VideoExport.as_view(), name="video_export"),
    path("videos/<str:video_id>/timeline", api_exports.VideoTimeline.as_view(), name="video_timeline"),
    path("clips/<str:clip_id>", clips_api.ClipDetail.as_view(), name="clip"),
    path("clips/<str:clip_id>/render", clips_api.ClipRender.as_view(), name="clip_render"),
    path("clips/<str:clip_id>/download", clips_api.ClipDownload.as_view(), name="clip_download"),
    path("clips/<str:clip_id>/captions", api_exports.ClipCaptions.as_view(), name="clip_captions"),
    path("clips/<str:clip_id>/words", api_words.ClipWords.as_view(), name="clip_words"),
    *webhooks_urls.api_patterns,
    *brands_urls.api_patterns,
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("media/signed/<str:token>", signed_media.serve, name="signed_media"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ssemble.urls")),
    # The process API's two routes (processapi/), beside Clipsite's own under /api/.
    path("api/", include("processapi.urls")),
    path("api/", include((api_patterns, "api"))),
    path("v1/", include("viralcli.urls")),
    path("mcp", include("mcpserver.urls")),
    # viralcli serves its OpenAPI document at /docs; its clients find Clipsite's there too.
    path("docs", RedirectView.as_view(pattern_name="api:docs"), name="docs"),
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
    path("settings/brand-kits/", include("brands.urls")),
    path("videos/", include("videos.urls")),
    path("clips/", include("clips.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("tracking/", include("tracking.urls")),
]

handler404 = errors.not_found
handler500 = errors.server_error
handler403 = errors.permission_denied
