<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>MapillaryProcessing</name>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Mapillary v4 limits this works around</source>
        <translation>Grenzen von Mapillary v4, die hier umgangen werden</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>The v4 Graph API answers a box search with at most 2,000 images, without paging, and silently drops the rest; it refuses boxes of 0.01 square degrees or more, and has no &apos;close to&apos;, radius or &apos;look at&apos; filters. These algorithms read Mapillary&apos;s z14 vector tiles instead, which are not capped, and apply radius, look-at, dates, users and panoramas on your computer. Sequence lines are rebuilt from their images (the tiles cut them at every tile edge). Extra fields (camera, user name, computed position…) come from the Graph API, 100 images per request.</source>
        <translation>Die v4 Graph API beantwortet eine Suche im Rechteck mit höchstens 2.000 Bildern, ohne Seiten, und lässt den Rest stillschweigend weg; Rechtecke ab 0,01 Quadratgrad lehnt sie ab, und Filter für „in der Nähe von“, Radius oder „blickt auf“ hat sie nicht. Diese Algorithmen lesen stattdessen Mapillarys z14-Vektorkacheln, die nicht begrenzt sind, und wenden Radius, Blickrichtung, Daten, Benutzer und Panoramen auf Ihrem Rechner an. Sequenzlinien werden aus ihren Bildern neu gebildet (die Kacheln schneiden sie an jedem Kachelrand). Zusatzfelder (Kamera, Benutzername, berechnete Position…) kommen aus der Graph API, 100 Bilder pro Anfrage.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>A tile that cannot be fetched after several retries does not stop the search: what was fetched is written, and a warning names the missing tiles.</source>
        <translation>Eine Kachel, die auch nach mehreren Versuchen nicht geladen werden kann, bricht die Suche nicht ab: Das Geladene wird geschrieben, und eine Warnung nennt die fehlenden Kacheln.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>&lt;b&gt;Token&lt;/b&gt;: a Mapillary client token (MLY|…) kept in a QGIS authentication configuration (the password of a Basic configuration), else the one saved in the plugin&apos;s settings, else the MAPILLARY_ACCESS_TOKEN environment variable. Endpoints: MAPILLARY_GRAPH_URL and MAPILLARY_TILES_URL.</source>
        <translation>&lt;b&gt;Token&lt;/b&gt;: ein Mapillary-Client-Token (MLY|…) in einer QGIS-Authentifizierungskonfiguration (das Passwort einer Basic-Konfiguration), sonst das in den Einstellungen des Plugins gespeicherte, sonst die Umgebungsvariable MAPILLARY_ACCESS_TOKEN. Endpunkte: MAPILLARY_GRAPH_URL und MAPILLARY_TILES_URL.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Images and data © Mapillary contributors, CC BY-SA 4.0.</source>
        <translation>Bilder und Daten © Mapillary-Mitwirkende, CC BY-SA 4.0.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>street-level</source>
        <translation>Straßenebene</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>street</source>
        <translation>Straße</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>panorama</source>
        <translation>Panorama</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>imagery</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Search extent (or give a point and a radius)</source>
        <translation>Suchbereich (oder einen Punkt und einen Radius angeben)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Search around point</source>
        <translation>Suche um Punkt</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Radius around the point (metres)</source>
        <translation>Radius um den Punkt (Meter)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only images looking at point</source>
        <translation>Nur Bilder, die auf den Punkt blicken</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Captured at or after (UTC)</source>
        <translation>Aufgenommen ab (UTC)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Captured before (UTC)</source>
        <translation>Aufgenommen vor (UTC)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by user names (comma separated)</source>
        <translation>Nur von Benutzernamen (durch Kommas getrennt)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by user keys (creator ids, comma separated)</source>
        <translation>Nur von Benutzerschlüsseln (Creator-IDs, durch Kommas getrennt)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by organization (id)</source>
        <translation>Nur von Organisation (ID)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Maximum number of images (0: no limit)</source>
        <translation>Höchstzahl an Bildern (0: keine Grenze)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Strategy</source>
        <translation>Strategie</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Refuse areas needing more z14 tiles than</source>
        <translation>Gebiete ablehnen, die mehr z14-Kacheln brauchen als</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Retries of a failing request</source>
        <translation>Wiederholungen einer fehlgeschlagenen Anfrage</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Look-at tolerance (degrees either side of the camera&apos;s direction)</source>
        <translation>Blick-Toleranz (Grad beiderseits der Kamerarichtung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Panoramas (any, only, exclude)</source>
        <translation>Panoramen (any: alle, only: nur, exclude: keine)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Extra fields from the Graph API</source>
        <translation>Zusatzfelder aus der Graph API</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Authentication configuration holding the Mapillary token</source>
        <translation>Authentifizierungskonfiguration mit dem Mapillary-Token</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>The authentication configuration {0} could not be opened or holds no token.</source>
        <translation>Die Authentifizierungskonfiguration {0} ließ sich nicht öffnen oder enthält kein Token.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>No Mapillary access token: choose an authentication configuration that holds it, save it in the plugin&apos;s settings, or set MAPILLARY_ACCESS_TOKEN.</source>
        <translation>Kein Mapillary-Zugriffstoken: Wählen Sie eine Authentifizierungskonfiguration, die es enthält, speichern Sie es in den Einstellungen des Plugins oder setzen Sie MAPILLARY_ACCESS_TOKEN.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>No Mapillary access token.</source>
        <translation>Kein Mapillary-Zugriffstoken.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Give either an extent or a point with a radius, not both.</source>
        <translation>Geben Sie entweder einen Bereich oder einen Punkt mit Radius an, nicht beides.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Give a search extent, or a point and a radius.</source>
        <translation>Geben Sie einen Suchbereich oder einen Punkt und einen Radius an.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <location filename="../processing_provider/download_images.py"/>
        <source>INCOMPLETE:</source>
        <translation>UNVOLLSTÄNDIG:</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>What was found is written; run the algorithm again later for the rest.</source>
        <translation>Das Gefundene ist geschrieben; führen Sie den Algorithmus später erneut aus, um den Rest zu holen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Number of features written</source>
        <translation>Anzahl geschriebener Objekte</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Every tile was fetched</source>
        <translation>Alle Kacheln wurden geladen</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>What was fetched</source>
        <translation>Was geladen wurde</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>(advanced)</source>
        <translation>(erweitert)</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>a rectangle in any CRS (reprojected to WGS84). Give either an extent or a point.</source>
        <translation>ein Rechteck in beliebigem KBS (nach WGS84 umprojiziert). Geben Sie entweder einen Bereich oder einen Punkt an.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>the centre of a point search, in any CRS.</source>
        <translation>der Mittelpunkt einer Punktsuche, in beliebigem KBS.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>images within this great-circle distance of the point (or of the look-at point when it is given alone); default 100 m.</source>
        <translation>Bilder innerhalb dieser Großkreisentfernung vom Punkt (oder vom Blickpunkt, wenn nur dieser angegeben ist); Standard 100 m.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>keep images whose camera points at this point: the bearing from the image to the point is within the tolerance of the image&apos;s compass angle. Panoramas see every direction and always count; images without a compass angle never do. Alone (no extent, no point), it also is the centre of the search.</source>
        <translation>behält Bilder, deren Kamera auf diesen Punkt zeigt: Die Richtung vom Bild zum Punkt liegt innerhalb der Toleranz um den Kompasswinkel des Bildes. Panoramen sehen in jede Richtung und zählen immer; Bilder ohne Kompasswinkel nie. Allein angegeben (ohne Bereich und Punkt) ist er auch der Mittelpunkt der Suche.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>default 50°, as in Mapillary&apos;s SDK.</source>
        <translation>Standard 50°, wie in Mapillarys SDK.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>included; a time without a time zone is UTC.</source>
        <translation>eingeschlossen; eine Zeit ohne Zeitzone ist UTC.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>excluded; a time without a time zone is UTC.</source>
        <translation>ausgeschlossen; eine Zeit ohne Zeitzone ist UTC.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images by these Mapillary users.</source>
        <translation>nur Bilder dieser Mapillary-Benutzer.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images by these creator ids (numbers). Old v3 user keys no longer work: give the user name.</source>
        <translation>nur Bilder dieser Creator-IDs (Zahlen). Alte v3-Benutzerschlüssel funktionieren nicht mehr: Geben Sie den Benutzernamen an.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>any (default), only panoramas, or exclude panoramas.</source>
        <translation>any: alle (Standard), only: nur Panoramen, exclude: keine Panoramen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images of this organization.</source>
        <translation>nur Bilder dieser Organisation.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>keep at most this many: the nearest for a point search, the newest for an extent. 0 means no limit.</source>
        <translation>höchstens so viele behalten: bei einer Punktsuche die nächsten, bei einem Bereich die neuesten. 0 heißt keine Grenze.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>fields the vector tiles lack, fetched from the Graph API: </source>
        <translation>Felder, die den Vektorkacheln fehlen, aus der Graph API geladen: </translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>tiles (default): complete z14 vector tiles; graph: the Graph API box search, with boxes split until each answers well under its 2,000-image cap.</source>
        <translation>tiles (Standard): vollständige z14-Vektorkacheln; graph: die Rechtecksuche der Graph API, wobei Rechtecke geteilt werden, bis jedes deutlich unter seiner Grenze von 2.000 Bildern bleibt.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>a guard against searching a whole country by mistake; default 400 tiles (about 40 × 40 km).</source>
        <translation>ein Schutz davor, versehentlich ein ganzes Land zu durchsuchen; Standard 400 Kacheln (etwa 40 × 40 km).</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>the QGIS authentication configuration whose password is the token; empty: the plugin&apos;s saved token, else MAPILLARY_ACCESS_TOKEN.</source>
        <translation>die QGIS-Authentifizierungskonfiguration, deren Passwort das Token ist; leer: das gespeicherte Token des Plugins, sonst MAPILLARY_ACCESS_TOKEN.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>how often a request that failed for a passing reason (outage, rate limit, cut connection) is tried again, with growing pauses; default 6. 0 fails fast.</source>
        <translation>wie oft eine Anfrage, die aus einem vorübergehenden Grund scheiterte (Ausfall, Ratenlimit, abgebrochene Verbindung), mit wachsenden Pausen wiederholt wird; Standard 6. 0 gibt sofort auf.</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Looking up users…</source>
        <translation>Benutzer werden gesucht…</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Reading vector tiles…</source>
        <translation>Vektorkacheln werden gelesen…</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Searching boxes…</source>
        <translation>Rechtecke werden durchsucht…</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Reading pages…</source>
        <translation>Seiten werden gelesen…</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Matching features…</source>
        <translation>Objekte werden zugeordnet…</translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Fetching extra fields…</source>
        <translation>Zusatzfelder werden geladen…</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Download images</source>
        <translation>Bilder herunterladen</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Downloads the picture of every Mapillary image of a point layer, as JPEG with EXIF.</source>
        <translation>Lädt das Bild jedes Mapillary-Bildes eines Punktlayers herunter, als JPEG mit EXIF.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Downloads the picture of every image of a point layer (the plugin&apos;s image layers, or any point layer holding Mapillary image ids) into a folder, as &lt;i&gt;&amp;lt;image id&amp;gt;.jpg&lt;/i&gt;: the JPEG exactly as Mapillary serves it, with EXIF added (GPS position from the point, direction from compass_angle, capture time from captured_at in UTC, altitude, camera make and model, and the image id). Images already in the folder, complete and with their EXIF, are skipped, so running again fetches only what is missing. A full disk stops the downloads with a message; nothing half-written is left behind.</source>
        <translation>Lädt das Bild jedes Bildes eines Punktlayers (der Bildlayer des Plugins oder eines beliebigen Punktlayers mit Mapillary-Bild-IDs) in einen Ordner, als &lt;i&gt;&amp;lt;Bild-ID&amp;gt;.jpg&lt;/i&gt;: das JPEG genau so, wie Mapillary es liefert, mit hinzugefügtem EXIF (GPS-Position aus dem Punkt, Richtung aus compass_angle, Aufnahmezeit aus captured_at in UTC, Höhe, Kamerahersteller und -modell sowie die Bild-ID). Bilder, die schon vollständig und mit ihrem EXIF im Ordner liegen, werden übersprungen; ein erneuter Lauf lädt also nur, was fehlt. Eine volle Festplatte beendet die Downloads mit einer Meldung; nichts bleibt halb geschrieben zurück.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>points with a Mapillary image id. Tick &apos;Selected features only&apos; to download just the selection.</source>
        <translation>Punkte mit einer Mapillary-Bild-ID. Kreuzen Sie „Nur gewählte Objekte“ an, um nur die Auswahl herunterzuladen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>the field holding the image id (default id).</source>
        <translation>das Feld mit der Bild-ID (Standard id).</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>the picture&apos;s width: 256, 1024 (default), 2048 pixels or the original.</source>
        <translation>die Breite des Bildes: 256, 1024 (Standard), 2048 Pixel oder das Original.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>where the pictures go (made if missing).</source>
        <translation>wohin die Bilder kommen (wird angelegt, falls er fehlt).</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>optional: a copy of the input with a &apos;file&apos; field holding each picture&apos;s path (empty where it could not be downloaded).</source>
        <translation>optional: eine Kopie der Eingabe mit einem Feld „file“, das den Pfad jedes Bildes enthält (leer, wo es nicht heruntergeladen werden konnte).</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Image points</source>
        <translation>Bildpunkte</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Image id field</source>
        <translation>Feld mit der Bild-ID</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Picture size</source>
        <translation>Bildgröße</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Images with their file</source>
        <translation>Bilder mit ihrer Datei</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Pictures downloaded</source>
        <translation>Heruntergeladene Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Pictures already there</source>
        <translation>Bereits vorhandene Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Pictures that failed</source>
        <translation>Fehlgeschlagene Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Every picture is there</source>
        <translation>Alle Bilder sind da</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>What was downloaded</source>
        <translation>Was heruntergeladen wurde</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>The input has no field {0}: choose the field holding the Mapillary image id.</source>
        <translation>Die Eingabe hat kein Feld {0}: Wählen Sie das Feld mit der Mapillary-Bild-ID.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Reading the image points…</source>
        <translation>Bildpunkte werden gelesen…</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>{0} images to download into {1}.</source>
        <translation>{0} Bilder werden nach {1} heruntergeladen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Downloading pictures…</source>
        <translation>Bilder werden heruntergeladen…</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Cannot download into {0}: {1}.</source>
        <translation>Herunterladen nach {0} nicht möglich: {1}.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Image {0} failed: {1}</source>
        <translation>Bild {0} fehlgeschlagen: {1}</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>The disk is full: downloads stopped ({0} of {1} pictures are in {2}).</source>
        <translation>Die Festplatte ist voll: Downloads angehalten ({0} von {1} Bildern liegen in {2}).</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Run the algorithm again to fetch only what is missing.</source>
        <translation>Führen Sie den Algorithmus erneut aus, um nur das Fehlende zu laden.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <source>Feature {0} has no image id or no point: skipped.</source>
        <translation>Objekt {0} hat keine Bild-ID oder keinen Punkt: übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/download_images.py"/>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} could not be transformed to WGS84: skipped.</source>
        <translation>Objekt {0} ließ sich nicht nach WGS84 transformieren: übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Images for features</source>
        <translation>Bilder zu Objekten</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>For every feature, the nearest Mapillary images, optionally only those looking at it.</source>
        <translation>Zu jedem Objekt die nächsten Mapillary-Bilder, auf Wunsch nur die, die auf das Objekt blicken.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>For every feature of the input layer (points, lines or polygons, in any CRS), finds the nearest Mapillary images within a distance, optionally only those looking at the feature and captured after a date, and writes them as points (EPSG:4326): the image&apos;s fields plus feature_id (the input feature&apos;s id), rank (1 = nearest), distance_m (metres from the image to the nearest point of the feature; 0 when the image is on or inside it) and bearing (degrees from north, from the image to that nearest point; to the centroid when the image is on the feature). An image near several features appears once per feature. Features close together are searched together, so each vector tile is fetched about once.</source>
        <translation>Findet zu jedem Objekt des Eingabelayers (Punkte, Linien oder Polygone, in beliebigem KBS) die nächsten Mapillary-Bilder innerhalb einer Entfernung, auf Wunsch nur die, die auf das Objekt blicken und nach einem Datum aufgenommen wurden, und schreibt sie als Punkte (EPSG:4326): die Felder des Bildes sowie feature_id (die ID des Eingabeobjekts), rank (1 = das nächste), distance_m (Meter vom Bild zum nächsten Punkt des Objekts; 0, wenn das Bild darauf oder darin liegt) und bearing (Grad ab Norden, vom Bild zu diesem nächsten Punkt; zum Schwerpunkt, wenn das Bild auf dem Objekt liegt). Ein Bild nahe mehreren Objekten erscheint einmal pro Objekt. Nahe beieinander liegende Objekte werden gemeinsam gesucht, sodass jede Vektorkachel etwa einmal geladen wird.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>the features that need images (a selection is honoured).</source>
        <translation>die Objekte, die Bilder brauchen (eine Auswahl wird beachtet).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>optional: a field copied to the output, to join the images back to your features by your own key (e.g. an asset number).</source>
        <translation>optional: ein Feld, das in die Ausgabe kopiert wird, um die Bilder über Ihren eigenen Schlüssel (z. B. eine Anlagennummer) mit Ihren Objekten zu verbinden.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>metres from the feature (default 50).</source>
        <translation>Meter vom Objekt (Standard 50).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>the nearest N images of each feature (default 3).</source>
        <translation>die N nächsten Bilder jedes Objekts (Standard 3).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>keep an image only when the bearing from it to the feature&apos;s nearest point is within the tolerance of its compass angle; panoramas and images on the feature always count, images without a compass angle never do.</source>
        <translation>behält ein Bild nur, wenn die Richtung von ihm zum nächsten Punkt des Objekts innerhalb der Toleranz um seinen Kompasswinkel liegt; Panoramen und Bilder auf dem Objekt zählen immer, Bilder ohne Kompasswinkel nie.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>degrees either side of the camera&apos;s direction (default 50, as in Mapillary&apos;s SDK).</source>
        <translation>Grad beiderseits der Kamerarichtung (Standard 50, wie in Mapillarys SDK).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>only images captured then or later (a time without zone is UTC).</source>
        <translation>nur Bilder, die zu diesem Zeitpunkt oder später aufgenommen wurden (eine Zeit ohne Zone ist UTC).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>fetched from the Graph API for the chosen images only: </source>
        <translation>aus der Graph API nur für die gewählten Bilder geladen: </translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>a guard against huge polygons; default 400 tiles (about 40 × 40 km).</source>
        <translation>ein Schutz vor riesigen Polygonen; Standard 400 Kacheln (etwa 40 × 40 km).</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>points in any vector format, or a temporary layer.</source>
        <translation>Punkte in beliebigem Vektorformat oder ein temporärer Layer.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Features</source>
        <translation>Objekte</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature id field to copy to the images</source>
        <translation>Objekt-ID-Feld, das zu den Bildern kopiert wird</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Search distance (metres)</source>
        <translation>Suchentfernung (Meter)</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Images per feature (nearest first)</source>
        <translation>Bilder pro Objekt (nächste zuerst)</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Only images looking at the feature</source>
        <translation>Nur Bilder, die auf das Objekt blicken</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Skip features needing more z14 tiles than</source>
        <translation>Objekte überspringen, die mehr z14-Kacheln brauchen als</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Features with at least one image</source>
        <translation>Objekte mit mindestens einem Bild</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>{0} features to match.</source>
        <translation>{0} Objekte zuzuordnen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} skipped: {1}.</source>
        <translation>Objekt {0} übersprungen: {1}.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>{0} images written for {1} of {2} features.</source>
        <translation>{0} Bilder für {1} von {2} Objekten geschrieben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} has no geometry: skipped.</source>
        <translation>Objekt {0} hat keine Geometrie: übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} has no usable geometry: skipped.</source>
        <translation>Objekt {0} hat keine brauchbare Geometrie: übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/provider.py"/>
        <source>Mapillary</source>
        <translation>Mapillary</translation>
    </message>
    <message>
        <location filename="../processing_provider/provider.py"/>
        <source>Mapillary street-level imagery</source>
        <translation>Mapillary-Straßenbilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Searching {0}.</source>
        <translation>Suche: {0}.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>{0} features written (from {1} images).</source>
        <translation>{0} Objekte geschrieben (aus {1} Bildern).</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Search images</source>
        <translation>Bilder suchen</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Every Mapillary image of an extent or around a point, as points.</source>
        <translation>Alle Mapillary-Bilder eines Bereichs oder um einen Punkt, als Punkte.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Lists every Mapillary image of an extent, or within a radius of a point, and writes them as points (EPSG:4326) with id, sequence_id, captured_at, compass_angle, is_pano, creator_id, organization_id and any extra fields. Filters: look-at point, capture dates, users, panoramas, organization, a maximum count.</source>
        <translation>Listet alle Mapillary-Bilder eines Bereichs oder im Radius um einen Punkt auf und schreibt sie als Punkte (EPSG:4326) mit id, sequence_id, captured_at, compass_angle, is_pano, creator_id, organization_id und den gewählten Zusatzfeldern. Filter: Blickpunkt, Aufnahmedaten, Benutzer, Panoramen, Organisation, eine Höchstzahl.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>any vector format (GeoPackage, GeoJSON, Shapefile, FlatGeobuf…) or a temporary layer.</source>
        <translation>beliebiges Vektorformat (GeoPackage, GeoJSON, Shapefile, FlatGeobuf…) oder ein temporärer Layer.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Search sequences</source>
        <translation>Sequenzen suchen</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>The Mapillary sequences of an extent or around a point, as lines in capture order.</source>
        <translation>Die Mapillary-Sequenzen eines Bereichs oder um einen Punkt, als Linien in Aufnahmereihenfolge.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Lists the Mapillary images the same way as Search images and joins those of each sequence into one line, vertices in capture order. Each line has the sequence id, image_count, image_ids and compass_angles (JSON lists parallel to the vertices, as the v3 API gave them), the first and last capture time, is_pano, creator_id, organization_id (and username when asked as an extra field). Maximum number of images limits the images the lines are built from. A sequence is clipped to the searched area and the filters: its line runs through its matching images only; a sequence with a single matching image has no line.</source>
        <translation>Listet die Mapillary-Bilder wie „Bilder suchen“ auf und verbindet die Bilder jeder Sequenz zu einer Linie, Stützpunkte in Aufnahmereihenfolge. Jede Linie hat die Sequenz-ID, image_count, image_ids und compass_angles (JSON-Listen parallel zu den Stützpunkten, wie die v3 API sie lieferte), die erste und letzte Aufnahmezeit, is_pano, creator_id, organization_id (und username, wenn als Zusatzfeld gewählt). Die Höchstzahl an Bildern begrenzt die Bilder, aus denen die Linien gebildet werden. Eine Sequenz wird auf das Suchgebiet und die Filter zugeschnitten: Ihre Linie verläuft nur durch ihre passenden Bilder; eine Sequenz mit nur einem passenden Bild hat keine Linie.</translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>any vector format (GeoPackage, GeoJSON, FlatGeobuf…) or a temporary layer. A Shapefile cuts the image_ids and compass_angles lists at 254 characters.</source>
        <translation>beliebiges Vektorformat (GeoPackage, GeoJSON, FlatGeobuf…) oder ein temporärer Layer. Ein Shapefile kürzt die Listen image_ids und compass_angles auf 254 Zeichen.</translation>
    </message>
</context>
<context>
    <name>MapillaryRetriever</name>
    <message>
        <location filename="../auth.py"/>
        <source>QGIS could not store the token in its authentication database (is the master password set?).</source>
        <translation>QGIS konnte das Token nicht in seiner Authentifizierungsdatenbank speichern (ist das Master-Passwort gesetzt?).</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>NE</source>
        <translation>NO</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>E</source>
        <translation>O</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>SE</source>
        <translation>SO</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>SW</source>
        <translation>SW</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>NW</source>
        <translation>NW</translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <source>Draw a Mapillary search box</source>
        <translation>Mapillary-Suchrechteck zeichnen</translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <location filename="../plugin.py"/>
        <source>Search around a clicked point</source>
        <translation>Um einen angeklickten Punkt suchen</translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <source>Pick a Mapillary image</source>
        <translation>Ein Mapillary-Bild wählen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Mapillary Retriever: search images and sequences</source>
        <translation>Mapillary Retriever: Bilder und Sequenzen suchen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Unlock…</source>
        <translation>Entsperren…</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Type QGIS&apos;s master password to use the stored token</source>
        <translation>Das Master-Passwort von QGIS eingeben, um das gespeicherte Token zu nutzen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <location filename="../task.py"/>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Help</source>
        <translation>Hilfe</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Open the plugin&apos;s documentation in the web browser</source>
        <translation>Die Dokumentation des Plugins im Webbrowser öffnen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Cancel search</source>
        <translation>Suche abbrechen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Current map extent</source>
        <translation>Aktueller Kartenausschnitt</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extent of a layer</source>
        <translation>Ausdehnung eines Layers</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Inside the selected polygons</source>
        <translation>In den gewählten Polygonen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>A box (drawn on the map or typed)</source>
        <translation>Ein Rechteck (gezeichnet oder eingegeben)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Around a point (radius)</source>
        <translation>Um einen Punkt (Radius)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Anywhere (by these users)</source>
        <translation>Überall (von diesen Benutzern)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Area</source>
        <translation>Gebiet</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty, so there is no map extent to search: add a layer (for example a basemap from XYZ Tiles), or type a box or a point, or search by usernames.</source>
        <translation>Die Karte ist leer, es gibt also keinen Kartenausschnitt zum Durchsuchen: Fügen Sie einen Layer hinzu (etwa eine Grundkarte aus XYZ Tiles), geben Sie ein Rechteck oder einen Punkt ein oder suchen Sie nach Benutzernamen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>minLon, minLat, maxLon, maxLat (WGS84)</source>
        <translation>minLon, minLat, maxLon, maxLat (WGS84)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Draw the box on the map</source>
        <translation>Das Rechteck auf der Karte zeichnen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Click the point on the map</source>
        <translation>Den Punkt auf der Karte anklicken</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>radius</source>
        <translation>Radius</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Everything by the usernames given below, wherever it is.</source>
        <translation>Alles von den unten angegebenen Benutzernamen, egal wo.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Looking at</source>
        <translation>Blickt auf</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Click the look-at point on the map</source>
        <translation>Den Blickpunkt auf der Karte anklicken</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>An image counts when the look-at point is within this angle of its viewing direction. Panoramas always count.</source>
        <translation>Ein Bild zählt, wenn der Blickpunkt innerhalb dieses Winkels um seine Blickrichtung liegt. Panoramen zählen immer.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Points in</source>
        <translation>Punkte in</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The coordinate system of the typed points. Points clicked on the map are converted to it.</source>
        <translation>Das Koordinatensystem der eingegebenen Punkte. Auf der Karte angeklickte Punkte werden darin umgerechnet.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Which images</source>
        <translation>Welche Bilder</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Captured from</source>
        <translation>Aufgenommen vom</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>to (inclusive)</source>
        <translation>bis (einschließlich)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>any; e.g. alice, bob</source>
        <translation>alle; z. B. alice, bob</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Usernames</source>
        <translation>Benutzernamen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>creator ids (numbers)</source>
        <translation>Creator-IDs (Zahlen)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>any; organization id</source>
        <translation>alle; ID</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>User keys</source>
        <translation>Benutzerschlüssel</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Organization</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Any</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Only panoramas</source>
        <translation>Nur Panoramen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No panoramas</source>
        <translation>Keine Panoramen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Panoramas</source>
        <translation>Panoramen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No limit</source>
        <translation>Keine Grenze</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Keep at most this many images: the nearest for a point search, the newest otherwise.</source>
        <translation>Höchstens so viele Bilder behalten: bei einer Punktsuche die nächsten, sonst die neuesten.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Max images</source>
        <translation>Max. Bilder</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extra fields (from the Graph API: one more request per 100 images)</source>
        <translation>Zusatzfelder (aus der Graph API: eine Anfrage mehr pro 100 Bilder)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Images (points)</source>
        <translation>Bilder (Punkte)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Sequences (lines)</source>
        <translation>Sequenzen (Linien)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Produce</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Temporary layers</source>
        <translation>Temporäre Layer</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>A GeoPackage:</source>
        <translation>Ein GeoPackage:</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Into</source>
        <translation>Nach</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>replace its layers</source>
        <translation>seine Layer ersetzen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>append to its layers</source>
        <translation>an seine Layer anhängen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Also download the images</source>
        <translation>Auch die Bilder herunterladen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Save the pictures as JPEG files, with their position, time and camera in EXIF, into a folder</source>
        <translation>Die Bilder als JPEG-Dateien mit Position, Zeit und Kamera in EXIF in einem Ordner speichern</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>256 px</source>
        <translation>256 px</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>1024 px</source>
        <translation>1024 px</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>2048 px</source>
        <translation>2048 px</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>original size</source>
        <translation>Originalgröße</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Folder for the downloaded images</source>
        <translation>Ordner für die heruntergeladenen Bilder</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty: there is no map extent to search. Choose another kind of area, or add a layer first.</source>
        <translation>Die Karte ist leer: Es gibt keinen Kartenausschnitt zum Durchsuchen. Wählen Sie eine andere Art von Gebiet oder fügen Sie zuerst einen Layer hinzu.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map extent cannot be converted to longitudes and latitudes.</source>
        <translation>Der Kartenausschnitt lässt sich nicht in Längen und Breiten umrechnen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Choose a layer whose extent to search.</source>
        <translation>Wählen Sie einen Layer, dessen Ausdehnung durchsucht werden soll.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The layer {name} has no extent (is it empty?).</source>
        <translation>Der Layer {name} hat keine Ausdehnung (ist er leer?).</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The extent of {name} cannot be converted to longitudes and latitudes.</source>
        <translation>Die Ausdehnung von {name} lässt sich nicht in Längen und Breiten umrechnen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Add a polygon layer and select the polygons to search inside.</source>
        <translation>Fügen Sie einen Polygonlayer hinzu und wählen Sie die Polygone, in denen gesucht werden soll.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Select the polygons to search inside: none of {name} is selected.</source>
        <translation>Wählen Sie die Polygone, in denen gesucht werden soll: In {name} ist keins gewählt.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The selected features of {name} have no geometry.</source>
        <translation>Die gewählten Objekte von {name} haben keine Geometrie.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The polygons of {name} cannot be converted to longitudes and latitudes.</source>
        <translation>Die Polygone von {name} lassen sich nicht in Längen und Breiten umrechnen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The folder {folder} does not exist.</source>
        <translation>Der Ordner {folder} existiert nicht.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Ready to search {what}. The stored token is locked: QGIS will ask for its master password.</source>
        <translation>Bereit zur Suche: {what}. Das gespeicherte Token ist gesperrt: QGIS wird nach seinem Master-Passwort fragen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No Mapillary token: open the settings to paste one.</source>
        <translation>Kein Mapillary-Token: Öffnen Sie die Einstellungen, um eines einzufügen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Ready to search {what}.</source>
        <translation>Bereit zur Suche: {what}.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>This box</source>
        <translation>Dieses Rechteck</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>This point</source>
        <translation>Dieser Punkt</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>&lt;b&gt;Token stored, locked.&lt;/b&gt; QGIS keeps it in its authentication database, which needs the master password once per session.</source>
        <translation>&lt;b&gt;Token gespeichert, gesperrt.&lt;/b&gt; QGIS bewahrt es in seiner Authentifizierungsdatenbank auf, die einmal pro Sitzung das Master-Passwort braucht.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>&lt;b&gt;No Mapillary token yet.&lt;/b&gt; Searching needs a free client token: open the settings, follow the link to Mapillary&apos;s developer page and paste the token there.</source>
        <translation>&lt;b&gt;Noch kein Mapillary-Token.&lt;/b&gt; Die Suche braucht ein kostenloses Client-Token: Öffnen Sie die Einstellungen, folgen Sie dem Link zu Mapillarys Entwicklerseite und fügen Sie das Token dort ein.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The token is stored but locked: unlock QGIS&apos;s authentication database (its master password) to search.</source>
        <translation>Das Token ist gespeichert, aber gesperrt: Entsperren Sie die Authentifizierungsdatenbank von QGIS (ihr Master-Passwort), um zu suchen.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{n} images found.</source>
        <translation>{n} Bilder gefunden.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Stopped: {n} images kept.</source>
        <translation>Angehalten: {n} Bilder behalten.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Failed: see the message bar.</source>
        <translation>Fehlgeschlagen: siehe Meldungsleiste.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Map tiles {done} / {total} · {found} images found</source>
        <translation>Kartenkacheln {done} / {total} · {found} Bilder gefunden</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Boxes {done} / {total} · {found} images found</source>
        <translation>Rechtecke {done} / {total} · {found} Bilder gefunden</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extra fields {done} / {total} batches · {found} images</source>
        <translation>Zusatzfelder {done} / {total} Pakete · {found} Bilder</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Looking up users {done} / {total}</source>
        <translation>Benutzer werden gesucht {done} / {total}</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Pages {done} / {total} · {found} images found</source>
        <translation>Seiten {done} / {total} · {found} Bilder gefunden</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Downloading pictures {done} / {total}</source>
        <translation>Bilder werden heruntergeladen {done} / {total}</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Building layers · {found} images</source>
        <translation>Layer werden erstellt · {found} Bilder</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty: add a layer first.</source>
        <translation>Die Karte ist leer: Fügen Sie zuerst einen Layer hinzu.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Type usernames under “Which images” first.</source>
        <translation>Geben Sie zuerst unter „Welche Bilder“ Benutzernamen ein.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty.</source>
        <translation>Die Karte ist leer.</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{w:.4f}° × {h:.4f}° around {lat:.5f}, {lon:.5f} (latitude, longitude)</source>
        <translation>{w:.4f}° × {h:.4f}° um {lat:.5f}, {lon:.5f} (Breite, Länge)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{n} selected</source>
        <translation>{n} gewählt</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>WGS84 (longitude, latitude)</source>
        <translation>WGS84 (Länge, Breite)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Project CRS: {crs}</source>
        <translation>Projekt-KBS: {crs}</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>lon, lat (WGS84)</source>
        <translation>Länge, Breite (WGS84)</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>lon, lat of what the images should show</source>
        <translation>Länge, Breite dessen, was die Bilder zeigen sollen</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>x, y in {crs}</source>
        <translation>x, y in {crs}</translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>x, y in {crs} of what the images should show</source>
        <translation>x, y in {crs} dessen, was die Bilder zeigen sollen</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>QGIS keeps passwords in its authentication database, protected by a &lt;b&gt;master password&lt;/b&gt;. None is set yet: when you save the token, QGIS will ask you to choose one. Remember it: QGIS asks for it once per session, the first time the token is needed.</source>
        <translation>QGIS speichert Passwörter in seiner Authentifizierungsdatenbank, geschützt durch ein &lt;b&gt;Master-Passwort&lt;/b&gt;. Noch ist keines gesetzt: Beim Speichern des Tokens bittet QGIS Sie, eines zu wählen. Merken Sie es sich: QGIS fragt einmal pro Sitzung danach, sobald das Token gebraucht wird.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>QGIS will ask for its &lt;b&gt;master password&lt;/b&gt; to store the token.</source>
        <translation>QGIS wird nach seinem &lt;b&gt;Master-Passwort&lt;/b&gt; fragen, um das Token zu speichern.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary Retriever settings</source>
        <translation>Einstellungen von Mapillary Retriever</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary access token</source>
        <translation>Mapillary-Zugriffstoken</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>The plugin needs a free Mapillary &lt;b&gt;client token&lt;/b&gt;. Sign in at &lt;a href=&quot;{url}&quot;&gt;mapillary.com/dashboard/developers&lt;/a&gt;, register an application (any name; no callback URL needed) and copy its &lt;i&gt;Client Token&lt;/i&gt;, which starts with &lt;code&gt;MLY|&lt;/code&gt;. It is stored encrypted in the QGIS authentication database, never in projects or layers.</source>
        <translation>Das Plugin braucht ein kostenloses Mapillary-&lt;b&gt;Client-Token&lt;/b&gt;: Melden Sie sich bei &lt;a href=&quot;{url}&quot;&gt;mapillary.com/dashboard/developers&lt;/a&gt; an, registrieren Sie eine Anwendung (Name beliebig, ohne Callback-URL) und kopieren Sie ihr &lt;i&gt;Client Token&lt;/i&gt; (&lt;code&gt;MLY|…&lt;/code&gt;). Es wird verschlüsselt in QGIS gespeichert, nie in Projekten oder Layern.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Check and save</source>
        <translation>Prüfen und speichern</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Forget the token</source>
        <translation>Token vergessen</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Image viewer</source>
        <translation>Bildbetrachter</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Small (256 px, fastest)</source>
        <translation>Klein (256 px, am schnellsten)</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Medium (1024 px)</source>
        <translation>Mittel (1024 px)</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Large (2048 px)</source>
        <translation>Groß (2048 px)</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Thumbnail size</source>
        <translation>Vorschaugröße</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>A token is stored (authentication config {id}).</source>
        <translation>Ein Token ist gespeichert (Authentifizierungskonfiguration {id}).</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token stored, locked: QGIS&apos;s authentication database needs its master password (authentication config {id}).</source>
        <translation>Token gespeichert, gesperrt: Die Authentifizierungsdatenbank von QGIS braucht ihr Master-Passwort (Authentifizierungskonfiguration {id}).</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Using the token of the MAPILLARY_ACCESS_TOKEN environment variable.</source>
        <translation>Das Token aus der Umgebungsvariablen MAPILLARY_ACCESS_TOKEN wird verwendet.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>No token yet: searches are disabled until you save one.</source>
        <translation>Noch kein Token: Die Suche ist gesperrt, bis Sie eines speichern.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Checking the token with Mapillary…</source>
        <translation>Token wird bei Mapillary geprüft…</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Checking the Mapillary token</source>
        <translation>Mapillary-Token wird geprüft</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary refused this token; it was not saved. Copy the Client Token (not the Client Secret) of your application.</source>
        <translation>Mapillary hat dieses Token abgelehnt; es wurde nicht gespeichert. Kopieren Sie das Client Token (nicht das Client Secret) Ihrer Anwendung.</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>It could not be checked now ({reason}).</source>
        <translation>Es ließ sich gerade nicht prüfen ({reason}).</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token checked and saved (authentication config {id}).</source>
        <translation>Token geprüft und gespeichert (Authentifizierungskonfiguration {id}).</translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token saved (authentication config {id}).</source>
        <translation>Token gespeichert (Authentifizierungskonfiguration {id}).</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image</source>
        <translation>Mapillary-Bild</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image viewer</source>
        <translation>Mapillary-Bildbetrachter</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No Mapillary image there: click on an image point.</source>
        <translation>Dort ist kein Mapillary-Bild: Klicken Sie auf einen Bildpunkt.</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Pick an image on the map</source>
        <translation>Ein Bild auf der Karte wählen</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Previous image in the sequence</source>
        <translation>Vorheriges Bild der Sequenz</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Next image in the sequence</source>
        <translation>Nächstes Bild der Sequenz</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Open on mapillary.com</source>
        <translation>Auf mapillary.com öffnen</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Copy the image id</source>
        <translation>Bild-ID kopieren</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Click an image point on the map to see it here.</source>
        <translation>Klicken Sie auf einen Bildpunkt der Karte, um das Bild hier zu sehen.</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Double-click to open the picture large; ←/→: previous/next image</source>
        <translation>Doppelklick öffnet das Bild groß; ←/→: vorheriges/nächstes Bild</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Captured</source>
        <translation>Aufgenommen</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Creator</source>
        <translation>Urheber</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Lon, lat</source>
        <translation>Länge, Breite</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Sequence</source>
        <translation>Sequenz</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Images © Mapillary contributors, CC BY-SA 4.0</source>
        <translation>Bilder © Mapillary-Mitwirkende, CC BY-SA 4.0</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Previous image in the sequence (←)</source>
        <translation>Vorheriges Bild der Sequenz (←)</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Next image in the sequence (→)</source>
        <translation>Nächstes Bild der Sequenz (→)</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image {id}</source>
        <translation>Mapillary-Bild {id}</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No Mapillary token: paste one in the plugin settings.</source>
        <translation>Kein Mapillary-Token: Fügen Sie eines in den Einstellungen des Plugins ein.</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Could not load the image ({e}).</source>
        <translation>Das Bild ließ sich nicht laden ({e}).</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No thumbnail for this image.</source>
        <translation>Keine Vorschau für dieses Bild.</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Thumbnail unavailable ({reason}).</source>
        <translation>Vorschau nicht verfügbar ({reason}).</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Panorama (360°)</source>
        <translation>Panorama (360°)</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>{i} of {n}</source>
        <translation>{i} von {n}</translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Image id {id} copied.</source>
        <translation>Bild-ID {id} kopiert.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;from&apos; date</source>
        <translation>Das Startdatum</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;to&apos; date</source>
        <translation>Das Enddatum</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;to&apos; date {to} is before the &apos;from&apos; date {start}.</source>
        <translation>Das Enddatum {to} liegt vor dem Startdatum {start}.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} {x:g}, {y:g} cannot be converted from {crs} to longitude and latitude.</source>
        <translation>{what} {x:g}, {y:g} lässt sich nicht von {crs} in Länge und Breite umrechnen.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the kind of area to search.</source>
        <translation>Wählen Sie die Art des Suchgebiets.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>There is no area to search yet.</source>
        <translation>Es gibt noch kein Suchgebiet.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type a box (minLon, minLat, maxLon, maxLat) or draw it on the map.</source>
        <translation>Geben Sie ein Rechteck ein (minLon, minLat, maxLon, maxLat) oder zeichnen Sie es auf der Karte.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type a point or click it on the map.</source>
        <translation>Geben Sie einen Punkt ein oder klicken Sie ihn auf der Karte an.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Point</source>
        <translation>Der Punkt</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type one or more usernames to search everything by those users.</source>
        <translation>Geben Sie einen oder mehrere Benutzernamen ein, um alles von diesen Benutzern zu suchen.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type the look-at point or click it on the map.</source>
        <translation>Geben Sie den Blickpunkt ein oder klicken Sie ihn auf der Karte an.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Look-at point</source>
        <translation>Der Blickpunkt</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose what to produce: images, sequences or both.</source>
        <translation>Wählen Sie, was erzeugt werden soll: Bilder, Sequenzen oder beides.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the GeoPackage file to write.</source>
        <translation>Wählen Sie die GeoPackage-Datei, die geschrieben werden soll.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The output file must end in .gpkg.</source>
        <translation>Die Ausgabedatei muss auf .gpkg enden.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the folder to download the images into.</source>
        <translation>Wählen Sie den Ordner, in den die Bilder geladen werden.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured {a} to {b}</source>
        <translation>aufgenommen {a} bis {b}</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured from {a}</source>
        <translation>aufgenommen ab {a}</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured until {b}</source>
        <translation>aufgenommen bis {b}</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} needs 2 numbers (x, y); got {n}.</source>
        <translation>{what} braucht 2 Zahlen (x, y); erhalten: {n}.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} must be two numbers, got {text}.</source>
        <translation>{what} muss aus zwei Zahlen bestehen, erhalten: {text}.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} must be finite numbers.</source>
        <translation>{what} muss aus endlichen Zahlen bestehen.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>This area</source>
        <translation>Dieses Gebiet</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} is {km} km from the map view: did you swap longitude and latitude?</source>
        <translation>{what} ist {km} km von der Kartenansicht entfernt: Sind Länge und Breite vertauscht?</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} is {km} km from the map view.</source>
        <translation>{what} ist {km} km von der Kartenansicht entfernt.</translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} {text} is not a date; use YYYY-MM-DD.</source>
        <translation>{what} {text} ist kein Datum; verwenden Sie JJJJ-MM-TT.</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>{title} ({n})</source>
        <translation>{title} ({n})</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>{title} ({n}, incomplete)</source>
        <translation>{title} ({n}, unvollständig)</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Open in Mapillary</source>
        <translation>In Mapillary öffnen</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary</source>
        <translation>Mapillary</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Images (zoomed out: see sequences)</source>
        <translation>Bilder (herausgezoomt: siehe Sequenzen)</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Image (camera direction)</source>
        <translation>Bild (Kamerarichtung)</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Panorama sequence</source>
        <translation>Panoramasequenz</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Sequences (zoomed far out: coverage)</source>
        <translation>Sequenzen (weit herausgezoomt: Abdeckung)</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Panorama sequences (zoomed far out)</source>
        <translation>Panoramasequenzen (weit herausgezoomt)</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary images (points).</source>
        <translation>Mapillary-Bilder (Punkte).</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary sequences (lines, vertices in capture order).</source>
        <translation>Mapillary-Sequenzen (Linien, Stützpunkte in Aufnahmereihenfolge).</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Search:</source>
        <translation>Suche:</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Query:</source>
        <translation>Abfrage:</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Result:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>complete</source>
        <translation>vollständig</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>INCOMPLETE</source>
        <translation>UNVOLLSTÄNDIG</translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Retrieved:</source>
        <translation>Abgerufen:</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>The Processing algorithms are not available: {e}</source>
        <translation>Die Processing-Algorithmen sind nicht verfügbar: {e}</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Search images and sequences…</source>
        <translation>Bilder und Sequenzen suchen…</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Draw a search box on the map</source>
        <translation>Ein Suchrechteck auf der Karte zeichnen</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Search around a clicked point (Shift+click: the point to look at)</source>
        <translation>Um einen angeklickten Punkt suchen (Umschalt+Klick: der Blickpunkt)</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Mapillary Retriever</source>
        <translation>Mapillary Retriever</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Drag a box on the map to search inside it; Esc cancels.</source>
        <translation>Ziehen Sie ein Rechteck auf der Karte, um darin zu suchen; Esc bricht ab.</translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Click the point to search around; Shift+click the point the images should look at.</source>
        <translation>Klicken Sie auf den Punkt, um den herum gesucht wird; Umschalt+Klick auf den Punkt, auf den die Bilder blicken sollen.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search</source>
        <translation>Mapillary-Suche</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>The table {table} has no &apos;file&apos; field: the pictures&apos; paths are not in it.</source>
        <translation>Die Tabelle {table} hat kein Feld „file“: Die Pfade der Bilder stehen nicht darin.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Written as the tables {tables} of {file}: the earlier search&apos;s tables are kept.</source>
        <translation>Als Tabellen {tables} von {file} geschrieben: Die Tabellen der früheren Suche bleiben erhalten.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>{d} of {n} pictures downloaded into {folder}</source>
        <translation>{d} von {n} Bildern nach {folder} heruntergeladen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>, {s} already there</source>
        <translation>, {s} bereits vorhanden</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>, {f} failed</source>
        <translation>, {f} fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>The disk is full: the downloads stopped. Free some space and search again to fetch the rest.</source>
        <translation>Die Festplatte ist voll: Die Downloads wurden angehalten. Schaffen Sie Platz und suchen Sie erneut, um den Rest zu laden.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>The downloads stopped: {reason}</source>
        <translation>Die Downloads wurden angehalten: {reason}</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Downloads cancelled: {k} pictures not downloaded.</source>
        <translation>Downloads abgebrochen: {k} Bilder nicht heruntergeladen.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Downloads: {summary}.</source>
        <translation>Downloads: {summary}.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Retry the missing part</source>
        <translation>Fehlenden Teil erneut versuchen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: the missing part of {what}</source>
        <translation>Mapillary-Suche: der fehlende Teil von {what}</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>No Mapillary token</source>
        <translation>Kein Mapillary-Token</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Paste your Mapillary client token in the plugin settings first.</source>
        <translation>Fügen Sie zuerst Ihr Mapillary-Client-Token in den Einstellungen des Plugins ein.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: {what}</source>
        <translation>Mapillary-Suche: {what}</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search failed</source>
        <translation>Mapillary-Suche fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Unexpected error: {e}. The details are in the message log.</source>
        <translation>Unerwarteter Fehler: {e}. Die Details stehen im Meldungsprotokoll.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search cancelled</source>
        <translation>Mapillary-Suche abgebrochen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Nothing was fetched.</source>
        <translation>Nichts wurde geladen.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Could not open {path}.</source>
        <translation>{path} ließ sich nicht öffnen.</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: {what}, {when}</source>
        <translation>Mapillary-Suche: {what}, {when}</translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary {time} · {what}</source>
        <translation>Mapillary {time} · {what}</translation>
    </message>
</context>
<context>
    <name>outcome</name>
    <message>
        <location filename="../api/outcome.py"/>
        <source>map tiles</source>
        <translation>Kartenkacheln</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>boxes</source>
        <translation>Rechtecken</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>pages</source>
        <translation>Seiten</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused the token</source>
        <translation>Mapillary hat das Token abgelehnt</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Could not reach Mapillary</source>
        <translation>Mapillary ist nicht erreichbar</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s rate limit was reached</source>
        <translation>Mapillarys Ratenlimit ist erreicht</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s daily quota is spent</source>
        <translation>Mapillarys Tageskontingent ist aufgebraucht</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused some requests</source>
        <translation>Mapillary hat einige Anfragen abgelehnt</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary answered with errors</source>
        <translation>Mapillary hat mit Fehlern geantwortet</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s answers could not be read</source>
        <translation>Mapillarys Antworten ließen sich nicht lesen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused boxes as too dense</source>
        <translation>Mapillary hat Rechtecke als zu dicht abgelehnt</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing to search</source>
        <translation>Nichts zu suchen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Search cancelled</source>
        <translation>Suche abgebrochen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Open the settings to paste a valid client token.</source>
        <translation>Öffnen Sie die Einstellungen, um ein gültiges Client-Token einzufügen.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Check the network connection and proxy settings.</source>
        <translation>Prüfen Sie die Netzwerkverbindung und die Proxy-Einstellungen.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Wait a few minutes, then retry.</source>
        <translation>Warten Sie einige Minuten und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary may be having trouble: retry later.</source>
        <translation>Mapillary hat vielleicht Probleme: Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Retry later.</source>
        <translation>Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{n} images and {m} sequences</source>
        <translation>{n} Bilder und {m} Sequenzen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{n} images</source>
        <translation>{n} Bilder</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Try a larger area or fewer filters.</source>
        <translation>Versuchen Sie ein größeres Gebiet oder weniger Filter.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Try a larger radius (it is {r:g} m) or fewer filters.</source>
        <translation>Versuchen Sie einen größeren Radius (er beträgt {r:g} m) oder weniger Filter.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>No Mapillary images found</source>
        <translation>Keine Mapillary-Bilder gefunden</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing matches this search.</source>
        <translation>Nichts passt zu dieser Suche.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary search complete</source>
        <translation>Mapillary-Suche abgeschlossen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary search incomplete</source>
        <translation>Mapillary-Suche unvollständig</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing was fetched ({reason}).</source>
        <translation>Nichts wurde geladen ({reason}).</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Cancelled: {found} kept.</source>
        <translation>Abgebrochen: {found} behalten.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{found} kept, but the result is incomplete.</source>
        <translation>{found} behalten, aber das Ergebnis ist unvollständig.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{k} of {total} {unit} are missing.</source>
        <translation>{k} von {total} {unit} fehlen.</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>parts</source>
        <translation>Teilen</translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{k} images lack their extra fields.</source>
        <translation>{k} Bildern fehlen ihre Zusatzfelder.</translation>
    </message>
</context>
<context>
    <name>schema</name>
    <message>
        <location filename="../api/schema.py"/>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera make</source>
        <translation>Kamerahersteller</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera model</source>
        <translation>Kameramodell</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera type</source>
        <translation>Kameratyp</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed position</source>
        <translation>Berechnete Position</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed direction</source>
        <translation>Berechnete Richtung</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Altitude</source>
        <translation>Höhe</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed altitude</source>
        <translation>Berechnete Höhe</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Quality score</source>
        <translation>Qualitätswert</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Width</source>
        <translation>Bildbreite</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Height</source>
        <translation>Bildhöhe</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Mapillary images</source>
        <translation>Mapillary-Bilder</translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Mapillary sequences</source>
        <translation>Mapillary-Sequenzen</translation>
    </message>
</context>
</TS>
