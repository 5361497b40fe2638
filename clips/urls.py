from django.urls import path

from clips import views

app_name = "clips"

urlpatterns = [
    path("<str:pk>/card", views.clip_card, name="card"),
    path("<str:pk>/favorite", views.clip_favorite, name="favorite"),
    path("<str:pk>/edit", views.clip_edit, name="edit"),
    path("<str:pk>/pins", views.clip_pin, name="pin"),
    path("<str:pk>/pins/remove", views.clip_unpin, name="unpin"),
]
