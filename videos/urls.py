from django.urls import path

from videos import views

app_name = "videos"

urlpatterns = [
    path("", views.video_list, name="list"),
    path("new", views.video_new, name="new"),
    path("<str:pk>/", views.video_detail, name="detail"),
    path("<str:pk>/status", views.video_status, name="status"),
    path("<str:pk>/row", views.video_row, name="row"),
    path("<str:pk>/clips", views.video_clips, name="clips"),
    path("<str:pk>/cancel", views.video_cancel, name="cancel"),
    path("<str:pk>/retry", views.video_retry, name="retry"),
    path("<str:pk>/delete", views.video_delete, name="delete"),
]
