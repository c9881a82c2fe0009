"""Join a workshop: a phone in the room types the code (or opens the QR code's link,
`/join?session=CODE`) and sends reports through the same form as Add to the map."""

from lib.ui import widgets, workshop

layers = widgets.require_layers()
engine = widgets.require_store()
workshop.join_page(engine, layers)
