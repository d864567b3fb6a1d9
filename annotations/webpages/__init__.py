"""Web pages in: a saved page or a web address turned into an article with its metadata.

``decoding`` picks a page's character encoding as a browser does, ``guard``
keeps hostile markup cheap to refuse, ``extract`` finds the story and its
metadata (trafilatura), and ``fetch`` downloads a web address without letting
it reach the server's own network (SSRF). None of them imports Django.
"""
