from django.urls import path

from clips import export_views, gallery_views, views

app_name = "clips"

urlpatterns = [
    path("<str:pk>/card", views.clip_card, name="card"),
    path("<str:pk>/favorite", views.clip_favorite, name="favorite"),
    path("<str:pk>/edit", views.clip_edit, name="edit"),
    path("<str:pk>/pins", views.clip_pin, name="pin"),
    path("<str:pk>/pins/remove", views.clip_unpin, name="unpin"),
    path("<str:pk>/caption-words", views.clip_words, name="caption_words"),
    path("<str:pk>/text", views.clip_text, name="text"),
    path("video/<str:pk>/bulk", gallery_views.clips_bulk, name="bulk"),
    path("video/<str:pk>/words", gallery_views.video_words, name="words"),
    path("video/<str:pk>/make", gallery_views.clip_make, name="make"),
    path("<str:pk>/captions", export_views.clip_captions, name="captions"),
    path("video/<str:pk>/export", export_views.video_export, name="video_export"),
    path("video/<str:pk>/source", export_views.video_source, name="video_source"),
    path("video/<str:pk>/timeline", export_views.video_timeline, name="video_timeline"),
]
