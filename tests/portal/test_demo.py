"""The demo's site identity shows as a real one would: its emblem in every page's header."""

from django.core.files.uploadedfile import SimpleUploadedFile

from portal import demo_loader, emblem


def test_the_demo_identity_has_an_emblem_in_the_header(client, db):
    demo_loader.load()
    page = client.get("/").content.decode()
    source = page.split('class="site-title__emblem" src="', 1)[1].split('"', 1)[0]
    response = client.get(source)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    picture = b"".join(response.streaming_content) if response.streaming else response.content
    assert emblem.checked(SimpleUploadedFile("emblem.png", picture)) == ("image/png", picture)
