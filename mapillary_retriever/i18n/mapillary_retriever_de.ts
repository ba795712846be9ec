<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>MapillaryProcessing</name>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Mapillary v4 limits this works around</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>The v4 Graph API answers a box search with at most 2,000 images, without paging, and silently drops the rest; it refuses boxes of 0.01 square degrees or more, and has no &apos;close to&apos;, radius or &apos;look at&apos; filters. These algorithms read Mapillary&apos;s z14 vector tiles instead, which are not capped, and apply radius, look-at, dates, users and panoramas on your computer. Sequence lines are rebuilt from their images (the tiles cut them at every tile edge). Extra fields (camera, user name, computed position…) come from the Graph API, 100 images per request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>A tile that cannot be fetched after several retries does not stop the search: what was fetched is written, and a warning names the missing tiles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>&lt;b&gt;Token&lt;/b&gt;: a Mapillary client token (MLY|…) kept in a QGIS authentication configuration (the password of a Basic configuration), else the one saved in the plugin&apos;s settings, else the MAPILLARY_ACCESS_TOKEN environment variable. Endpoints: MAPILLARY_GRAPH_URL and MAPILLARY_TILES_URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Images and data © Mapillary contributors, CC BY-SA 4.0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>street-level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>street</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>panorama</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Search extent (or give a point and a radius)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Search around point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Radius around the point (metres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only images looking at point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Captured at or after (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Captured before (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by user names (comma separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by user keys (creator ids, comma separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Only by organization (id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Maximum number of images (0: no limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Strategy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Refuse areas needing more z14 tiles than</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Retries of a failing request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Look-at tolerance (degrees either side of the camera&apos;s direction)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Panoramas (any, only, exclude)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Extra fields from the Graph API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Authentication configuration holding the Mapillary token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>The authentication configuration {0} could not be opened or holds no token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>No Mapillary access token: choose an authentication configuration that holds it, save it in the plugin&apos;s settings, or set MAPILLARY_ACCESS_TOKEN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>No Mapillary access token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Give either an extent or a point with a radius, not both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Give a search extent, or a point and a radius.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>INCOMPLETE:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>What was found is written; run the algorithm again later for the rest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Number of features written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Every tile was fetched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>What was fetched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>(advanced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>a rectangle in any CRS (reprojected to WGS84). Give either an extent or a point.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>the centre of a point search, in any CRS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>images within this great-circle distance of the point (or of the look-at point when it is given alone); default 100 m.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>keep images whose camera points at this point: the bearing from the image to the point is within the tolerance of the image&apos;s compass angle. Panoramas see every direction and always count; images without a compass angle never do. Alone (no extent, no point), it also is the centre of the search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>default 50°, as in Mapillary&apos;s SDK.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>included; a time without a time zone is UTC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>excluded; a time without a time zone is UTC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images by these Mapillary users.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images by these creator ids (numbers). Old v3 user keys no longer work: give the user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>any (default), only panoramas, or exclude panoramas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>only images of this organization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>keep at most this many: the nearest for a point search, the newest for an extent. 0 means no limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>fields the vector tiles lack, fetched from the Graph API: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>tiles (default): complete z14 vector tiles; graph: the Graph API box search, with boxes split until each answers well under its 2,000-image cap.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>a guard against searching a whole country by mistake; default 400 tiles (about 40 × 40 km).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>the QGIS authentication configuration whose password is the token; empty: the plugin&apos;s saved token, else MAPILLARY_ACCESS_TOKEN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>how often a request that failed for a passing reason (outage, rate limit, cut connection) is tried again, with growing pauses; default 6. 0 fails fast.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Looking up users…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Reading vector tiles…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Searching boxes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Reading pages…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Matching features…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/base.py"/>
        <source>Fetching extra fields…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Images for features</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>For every feature, the nearest Mapillary images, optionally only those looking at it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>For every feature of the input layer (points, lines or polygons, in any CRS), finds the nearest Mapillary images within a distance, optionally only those looking at the feature and captured after a date, and writes them as points (EPSG:4326): the image&apos;s fields plus feature_id (the input feature&apos;s id), rank (1 = nearest), distance_m (metres from the image to the nearest point of the feature; 0 when the image is on or inside it) and bearing (degrees from north, from the image to that nearest point; to the centroid when the image is on the feature). An image near several features appears once per feature. Features close together are searched together, so each vector tile is fetched about once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>the features that need images (a selection is honoured).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>optional: a field copied to the output, to join the images back to your features by your own key (e.g. an asset number).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>metres from the feature (default 50).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>the nearest N images of each feature (default 3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>keep an image only when the bearing from it to the feature&apos;s nearest point is within the tolerance of its compass angle; panoramas and images on the feature always count, images without a compass angle never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>degrees either side of the camera&apos;s direction (default 50, as in Mapillary&apos;s SDK).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>only images captured then or later (a time without zone is UTC).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>fetched from the Graph API for the chosen images only: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>a guard against huge polygons; default 400 tiles (about 40 × 40 km).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>points in any vector format, or a temporary layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Features</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature id field to copy to the images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Search distance (metres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Images per feature (nearest first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Only images looking at the feature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Skip features needing more z14 tiles than</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Features with at least one image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>{0} features to match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} skipped: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>{0} images written for {1} of {2} features.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} has no geometry: skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} could not be transformed to WGS84: skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/images_for_features.py"/>
        <source>Feature {0} has no usable geometry: skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/provider.py"/>
        <source>Mapillary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/provider.py"/>
        <source>Mapillary street-level imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Searching {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>{0} features written (from {1} images).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Search images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Every Mapillary image of an extent or around a point, as points.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Lists every Mapillary image of an extent, or within a radius of a point, and writes them as points (EPSG:4326) with id, sequence_id, captured_at, compass_angle, is_pano, creator_id, organization_id and any extra fields. Filters: look-at point, capture dates, users, panoramas, organization, a maximum count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>any vector format (GeoPackage, GeoJSON, Shapefile, FlatGeobuf…) or a temporary layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Search sequences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>The Mapillary sequences of an extent or around a point, as lines in capture order.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>Lists the Mapillary images the same way as Search images and joins those of each sequence into one line, vertices in capture order. Each line has the sequence id, image_count, image_ids and compass_angles (JSON lists parallel to the vertices, as the v3 API gave them), the first and last capture time, is_pano, creator_id, organization_id (and username when asked as an extra field). Maximum number of images limits the images the lines are built from. A sequence is clipped to the searched area and the filters: its line runs through its matching images only; a sequence with a single matching image has no line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider/search_algorithms.py"/>
        <source>any vector format (GeoPackage, GeoJSON, FlatGeobuf…) or a temporary layer. A Shapefile cuts the image_ids and compass_angles lists at 254 characters.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MapillaryRetriever</name>
    <message>
        <location filename="../auth.py"/>
        <source>QGIS could not store the token in its authentication database (is the master password set?).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>NE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>SE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>SW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/common.py"/>
        <source>NW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <source>Draw a Mapillary search box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <location filename="../plugin.py"/>
        <source>Search around a clicked point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/map_tools.py"/>
        <source>Pick a Mapillary image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Mapillary Retriever: search images and sequences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Unlock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Type QGIS&apos;s master password to use the stored token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <location filename="../task.py"/>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Open the plugin&apos;s documentation in the web browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Cancel search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Current map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extent of a layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Inside the selected polygons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>A box (drawn on the map or typed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Around a point (radius)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Anywhere (by these users)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty, so there is no map extent to search: add a layer (for example a basemap from XYZ Tiles), or type a box or a point, or search by usernames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>minLon, minLat, maxLon, maxLat (WGS84)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Draw the box on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Click the point on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>radius</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Everything by the usernames given below, wherever it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Looking at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Click the look-at point on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>An image counts when the look-at point is within this angle of its viewing direction. Panoramas always count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Points in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The coordinate system of the typed points. Points clicked on the map are converted to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Which images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Captured from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>to (inclusive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>any; e.g. alice, bob</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Usernames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>creator ids (numbers)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>any; organization id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>User keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Any</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Only panoramas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No panoramas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Panoramas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Keep at most this many images: the nearest for a point search, the newest otherwise.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Max images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extra fields (from the Graph API: one more request per 100 images)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Images (points)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Sequences (lines)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Produce</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Temporary layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>A GeoPackage:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>GeoPackage (*.gpkg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>replace its layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>append to its layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Also download the images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Save the pictures as JPEG files, with their position, time and camera in EXIF, into a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>256 px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>1024 px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>2048 px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>original size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Folder for the downloaded images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty: there is no map extent to search. Choose another kind of area, or add a layer first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map extent cannot be converted to longitudes and latitudes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Choose a layer whose extent to search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The layer {name} has no extent (is it empty?).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The extent of {name} cannot be converted to longitudes and latitudes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Add a polygon layer and select the polygons to search inside.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Select the polygons to search inside: none of {name} is selected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The selected features of {name} have no geometry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The polygons of {name} cannot be converted to longitudes and latitudes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The folder {folder} does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Ready to search {what}. The stored token is locked: QGIS will ask for its master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>No Mapillary token: open the settings to paste one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Ready to search {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>This box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>This point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>&lt;b&gt;Token stored, locked.&lt;/b&gt; QGIS keeps it in its authentication database, which needs the master password once per session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>&lt;b&gt;No Mapillary token yet.&lt;/b&gt; Searching needs a free client token: open the settings, follow the link to Mapillary&apos;s developer page and paste the token there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The token is stored but locked: unlock QGIS&apos;s authentication database (its master password) to search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{n} images found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Stopped: {n} images kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Failed: see the message bar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Map tiles {done} / {total} · {found} images found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Boxes {done} / {total} · {found} images found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Extra fields {done} / {total} batches · {found} images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Looking up users {done} / {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Building layers · {found} images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty: add a layer first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Type usernames under “Which images” first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>The map is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{w:.4f}° × {h:.4f}° around {lat:.5f}, {lon:.5f} (latitude, longitude)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>{n} selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>WGS84 (longitude, latitude)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>Project CRS: {crs}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>lon, lat (WGS84)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>lon, lat of what the images should show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>x, y in {crs}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/search_dialog.py"/>
        <source>x, y in {crs} of what the images should show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>QGIS keeps passwords in its authentication database, protected by a &lt;b&gt;master password&lt;/b&gt;. None is set yet: when you save the token, QGIS will ask you to choose one. Remember it: QGIS asks for it once per session, the first time the token is needed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>QGIS will ask for its &lt;b&gt;master password&lt;/b&gt; to store the token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary Retriever settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>The plugin needs a free Mapillary &lt;b&gt;client token&lt;/b&gt;. Sign in at &lt;a href=&quot;{url}&quot;&gt;mapillary.com/dashboard/developers&lt;/a&gt;, register an application (any name; no callback URL needed) and copy its &lt;i&gt;Client Token&lt;/i&gt;, which starts with &lt;code&gt;MLY|&lt;/code&gt;. It is stored encrypted in the QGIS authentication database, never in projects or layers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Check and save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Forget the token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <location filename="../plugin.py"/>
        <source>Image viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Small (256 px, fastest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Medium (1024 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Large (2048 px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Thumbnail size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>A token is stored (authentication config {id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token stored, locked: QGIS&apos;s authentication database needs its master password (authentication config {id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Using the token of the MAPILLARY_ACCESS_TOKEN environment variable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>No token yet: searches are disabled until you save one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Checking the token with Mapillary…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Checking the Mapillary token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Mapillary refused this token; it was not saved. Copy the Client Token (not the Client Secret) of your application.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>It could not be checked now ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token checked and saved (authentication config {id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/settings_dialog.py"/>
        <source>Token saved (authentication config {id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No Mapillary image there: click on an image point.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Pick an image on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Previous image in the sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Next image in the sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Open on mapillary.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Copy the image id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Click an image point on the map to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Double-click to open the picture large; ←/→: previous/next image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Captured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Creator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Direction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Lon, lat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Images © Mapillary contributors, CC BY-SA 4.0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Previous image in the sequence (←)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Next image in the sequence (→)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Mapillary image {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No Mapillary token: paste one in the plugin settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Could not load the image ({e}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>No thumbnail for this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Thumbnail unavailable ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <location filename="../layers.py"/>
        <source>Panorama (360°)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>{i} of {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dialogs/viewer.py"/>
        <source>Image id {id} copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;from&apos; date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;to&apos; date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The &apos;to&apos; date {to} is before the &apos;from&apos; date {start}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} {x:g}, {y:g} cannot be converted from {crs} to longitude and latitude.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the kind of area to search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>There is no area to search yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type a box (minLon, minLat, maxLon, maxLat) or draw it on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type a point or click it on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type one or more usernames to search everything by those users.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Type the look-at point or click it on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Look-at point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose what to produce: images, sequences or both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the GeoPackage file to write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>The output file must end in .gpkg.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>Choose the folder to download the images into.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured {a} to {b}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured from {a}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>captured until {b}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} needs 2 numbers (x, y); got {n}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} must be two numbers, got {text}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} must be finite numbers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>This area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} is {km} km from the map view: did you swap longitude and latitude?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} is {km} km from the map view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../form.py"/>
        <source>{what} {text} is not a date; use YYYY-MM-DD.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>{title} ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>{title} ({n}, incomplete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Open in Mapillary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Images (zoomed out: see sequences)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Image (camera direction)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Panorama sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Sequences (zoomed far out: coverage)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Panorama sequences (zoomed far out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary images (points).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Mapillary sequences (lines, vertices in capture order).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Search:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Query:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Result:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>INCOMPLETE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py"/>
        <source>Retrieved:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>The Processing algorithms are not available: {e}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Search images and sequences…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Draw a search box on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Search around a clicked point (Shift+click: the point to look at)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Mapillary Retriever</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Drag a box on the map to search inside it; Esc cancels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py"/>
        <source>Click the point to search around; Shift+click the point the images should look at.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Written as the tables {tables} of {file}: the earlier search&apos;s tables are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Retry the missing part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: the missing part of {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>No Mapillary token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Paste your Mapillary client token in the plugin settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Unexpected error: {e}. The details are in the message log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Nothing was fetched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Could not open {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary search: {what}, {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../task.py"/>
        <source>Mapillary {time} · {what}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>outcome</name>
    <message>
        <location filename="../api/outcome.py"/>
        <source>map tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>boxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused the token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Could not reach Mapillary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s rate limit was reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s daily quota is spent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused some requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary answered with errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary&apos;s answers could not be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary refused boxes as too dense</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing to search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Search cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Open the settings to paste a valid client token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Check the network connection and proxy settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Wait a few minutes, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary may be having trouble: retry later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Retry later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{n} images and {m} sequences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{n} images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Try a larger area or fewer filters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Try a larger radius (it is {r:g} m) or fewer filters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>No Mapillary images found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing matches this search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary search complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Mapillary search incomplete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Nothing was fetched ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>Cancelled: {found} kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{found} kept, but the result is incomplete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{k} of {total} {unit} are missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>parts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/outcome.py"/>
        <source>{k} images lack their extra fields.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>schema</name>
    <message>
        <location filename="../api/schema.py"/>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera make</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Camera type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed position</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed direction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Altitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Computed altitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Quality score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Height</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Mapillary images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../api/schema.py"/>
        <source>Mapillary sequences</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
