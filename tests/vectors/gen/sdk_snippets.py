#!/usr/bin/env python3
"""Writes tests/vectors/sdk-snippets.json: wx-server-sdk database snippets, each with the
structured call that means the same, run through `client.database()` by the Node and Python
suites (and read by the official SDK's recorder in the Node suite).

Usage (from the repository root):  python3 tests/vectors/gen/sdk_snippets.py

The snippets follow the examples of the official Cloud Development database guide and
reference (developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/database/ — query, update,
aggregate, geo; and the reference pages of db.command, db.command.aggregate, db.Geo,
db.RegExp, db.serverDate), rewritten against one seed collection so every snippet returns data.

Each snippet: `js` (evaluated with `db`, `_` = db.command, `$` = db.command.aggregate and `C`,
the collection name, in scope), `py` (the same in Python naming, evaluated with `db`, `_`, `A` =
_.aggregate, `C`, `re`, `datetime`, `timezone`), and `structured`, the client's MongoDB-style
call: `{"op": "query" | "count" | "aggregate" | "update" | "delete" | "add", ...arguments}` (or
`"op": "statement"` with `operation` and `text`, for what the structured forms do not offer).
Values in `structured` and `seed` are Extended JSON. `volatile` names fields whose values are
the service's clock (`db.serverDate()`): compared by type only.
"""
import json
import os
import re

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sdk-snippets.json")


def date(iso):
    return {"$date": iso}


def point(lng, lat):
    return {"type": "Point", "coordinates": [lng, lat]}


def book(i, title, author, price, tags, count, warehouse, published, lng, lat, done, category, progress, reviews):
    return {
        "_id": f"b{i}",
        "title": title,
        "author": author,
        "price": price,
        "tags": tags,
        "stock": {"count": count, "warehouse": warehouse},
        "published": date(published),
        "location": point(lng, lat),
        "done": done,
        "category": category,
        "progress": progress,
        "reviews": [{"user": u, "score": s} for u, s in reviews],
    }


SEED = [
    book(1, "The Cloud Atlas", "Mitchell", 35, ["novel", "cloud"], 5, "north", "2004-03-01T00:00:00Z", 113.32, 23.12, False, "novel", 20, [("amy", 5), ("bo", 3)]),
    book(2, "Mini Program Basics", "Li", 48.5, ["tech", "wechat"], 12, "south", "2018-06-15T00:00:00Z", 113.30, 23.10, True, "tech", 100, [("cai", 4)]),
    book(3, "Cloud Functions in Practice", "Wang", 66, ["tech", "cloud", "wechat"], 0, "north", "2020-01-20T00:00:00Z", 113.40, 23.20, False, "tech", 55, []),
    book(4, "Poems of the South", "Du", 22, ["poetry"], 30, "south", "1999-09-09T00:00:00Z", 114.05, 22.55, True, "poetry", 80, [("amy", 4), ("dan", 2)]),
    book(5, "Databases Explained", "Zhao", 59.9, ["tech", "database"], 7, "east", "2015-11-11T00:00:00Z", 121.47, 31.23, False, "tech", 10, [("eve", 5)]),
    book(6, "A Short Novel", "Chen", 18, ["novel"], 3, "east", "2011-05-05T00:00:00Z", 116.40, 39.90, True, "novel", 95, [("bo", 1)]),
    book(7, "Geo Queries for Everyone", "Sun", 41, ["tech", "geo"], 9, "west", "2021-07-01T00:00:00Z", 113.33, 23.13, False, "tech", 45, [("cai", 5), ("amy", 4)]),
    book(8, "Night Clouds", "Mitchell", 29, ["poetry", "cloud"], 15, "north", "2008-02-29T00:00:00Z", 120.15, 30.28, False, "poetry", 60, [("dan", 3)]),
]

S = []


def snippet(name, js, structured, py=None, volatile=None, empty=False):
    entry = {"name": name, "js": js, "py": py or to_python(js), "structured": structured}
    if volatile:
        entry["volatile"] = volatile
    if empty:
        entry["empty"] = True
    S.append(entry)


def to_python(js):
    """The mechanical part of writing a JS snippet in Python naming."""
    py = js
    for a, b in [("true", "True"), ("false", "False"), ("null", "None")]:
        py = re.sub(rf"\b{a}\b", b, py)
    for word in ["in", "and", "or", "not"]:
        py = py.replace(f".{word}(", f".{word}_(")
    py = py.replace(".orderBy(", ".order_by(")
    py = py.replace("$.", "A.")
    return py


def q(where=None, orderBy=None, skip=None, limit=None, fields=None):
    s = {"op": "query"}
    for k, v in [("where", where), ("orderBy", orderBy), ("skip", skip), ("limit", limit), ("fields", fields)]:
        if v is not None:
            s[k] = v
    return s


def agg(*stages):
    return {"op": "aggregate", "pipeline": list(stages)}


def upd(where, data):
    return {"op": "update", "where": where, "data": data}


W = 'db.collection(C)'

# ---- query: where, commands, logic (guide: 查询数据, 查询指令; reference: db.command)
snippet("where with plain fields", f'{W}.where({{"done": false, "category": "tech"}}).get()', q({"done": False, "category": "tech"}))
snippet("where with a nested object means a dot path", f'{W}.where({{"stock": {{"warehouse": "north"}}}}).get()', q({"stock.warehouse": "north"}))
snippet("where with a dot path string", f'{W}.where({{"stock.count": _.gt(5)}}).get()', q({"stock.count": {"$gt": 5}}))
snippet("command eq", f'{W}.where({{"author": _.eq("Mitchell")}}).get()', q({"author": {"$eq": "Mitchell"}}))
snippet("command neq", f'{W}.where({{"category": _.neq("tech")}}).get()', q({"category": {"$ne": "tech"}}))
snippet("command lt", f'{W}.where({{"price": _.lt(30)}}).get()', q({"price": {"$lt": 30}}))
snippet("command lte", f'{W}.where({{"price": _.lte(35)}}).get()', q({"price": {"$lte": 35}}))
snippet("command gt", f'{W}.where({{"progress": _.gt(50)}}).get()', q({"progress": {"$gt": 50}}))
snippet("command gte", f'{W}.where({{"progress": _.gte(55)}}).get()', q({"progress": {"$gte": 55}}))
snippet("command in", f'{W}.where({{"author": _.in(["Li", "Du"])}}).get()', q({"author": {"$in": ["Li", "Du"]}}))
snippet("command nin", f'{W}.where({{"category": _.nin(["tech", "novel"])}}).get()', q({"category": {"$nin": ["tech", "novel"]}}))
snippet("field-level and chain", f'{W}.where({{"progress": _.gt(30).and(_.lt(70))}}).get()', q({"$and": [{"progress": {"$gt": 30}}, {"progress": {"$lt": 70}}]}))
snippet("field-level or chain", f'{W}.where({{"progress": _.lt(20).or(_.gt(90))}}).get()', q({"$or": [{"progress": {"$lt": 20}}, {"progress": {"$gt": 90}}]}))
snippet("field-level and of commands", f'{W}.where({{"price": _.and(_.gt(20), _.lt(40))}}).get()', q({"$and": [{"price": {"$gt": 20}}, {"price": {"$lt": 40}}]}))
snippet("field-level or of commands with an array", f'{W}.where({{"price": _.or([_.lt(20), _.gt(60)])}}).get()', q({"$or": [{"price": {"$lt": 20}}, {"price": {"$gt": 60}}]}))
snippet("top-level or across fields", f'{W}.where(_.or([{{"progress": _.lt(20)}}, {{"done": true}}])).get()', q({"$or": [{"progress": {"$lt": 20}}, {"done": True}]}))
snippet("top-level and across fields", f'{W}.where(_.and([{{"category": "tech"}}, {{"price": _.lt(50)}}])).get()', q({"$and": [{"category": "tech"}, {"price": {"$lt": 50}}]}))
snippet("top-level nor", f'{W}.where(_.nor([{{"done": true}}, {{"price": _.gt(50)}}])).get()', q({"$nor": [{"done": True}, {"price": {"$gt": 50}}]}))
snippet("command not", f'{W}.where({{"progress": _.not(_.gt(50))}}).get()', q({"progress": {"$not": {"$gt": 50}}}))
snippet("or chain with and inside", f'{W}.where({{"progress": _.gt(90).or(_.gt(40).and(_.lt(50)))}}).get()', q({"$or": [{"progress": {"$gt": 90}}, {"$and": [{"progress": {"$gt": 40}}, {"progress": {"$lt": 50}}]}]}))
snippet("command exists true", f'{W}.where({{"reviews.0": _.exists(true)}}).get()', q({"reviews.0": {"$exists": True}}))
snippet("command exists false", f'{W}.where({{"reviews.0": _.exists(false)}}).get()', q({"reviews.0": {"$exists": False}}))
snippet("command size", f'{W}.where({{"tags": _.size(2)}}).get()', q({"tags": {"$size": 2}}))
snippet("command all", f'{W}.where({{"tags": _.all(["tech", "cloud"])}}).get()', q({"tags": {"$all": ["tech", "cloud"]}}))
snippet("command elemMatch", f'{W}.where({{"reviews": _.elemMatch({{"user": "amy", "score": _.gte(5)}})}}).get()', q({"reviews": {"$elemMatch": {"user": "amy", "score": {"$gte": 5}}}}))
snippet("command mod", f'{W}.where({{"progress": _.mod(20, 0)}}).get()', q({"progress": {"$mod": [20, 0]}}))
snippet("array field matches an element", f'{W}.where({{"tags": "cloud"}}).get()', q({"tags": "cloud"}))
snippet("array index path", f'{W}.where({{"tags.0": "tech"}}).get()', q({"tags.0": "tech"}))
snippet("nested array element field", f'{W}.where({{"reviews": {{"user": "bo"}}}}).get()', q({"reviews.user": "bo"}))
snippet("regular expression literal", f'{W}.where({{"title": /cloud/i}}).get()', q({"title": {"$regularExpression": {"pattern": "cloud", "options": "i"}}}),
        py=f'{W}.where({{"title": re.compile("cloud", re.I)}}).get()')
snippet("db.RegExp", f'{W}.where({{"title": db.RegExp({{"regexp": "^the", "options": "i"}})}}).get()', q({"title": {"$regularExpression": {"pattern": "^the", "options": "i"}}}))
snippet("RegExp constructor", f'{W}.where({{"author": new RegExp("^m", "i")}}).get()', q({"author": {"$regularExpression": {"pattern": "^m", "options": "i"}}}),
        py=f'{W}.where({{"author": re.compile("^m", re.I)}}).get()')
snippet("regexp with an or", f'{W}.where(_.or([{{"title": db.RegExp({{"regexp": "poem", "options": "i"}})}}, {{"author": "Li"}}])).get()', q({"$or": [{"title": {"$regularExpression": {"pattern": "poem", "options": "i"}}}, {"author": "Li"}]}))
snippet("dates compare", f'{W}.where({{"published": _.gt(new Date("2015-01-01T00:00:00Z"))}}).get()', q({"published": {"$gt": date("2015-01-01T00:00:00Z")}}),
        py=f'{W}.where({{"published": _.gt(datetime(2015, 1, 1, tzinfo=timezone.utc))}}).get()')
snippet("expr compares two fields", f'{W}.where(_.expr($.gt(["$price", "$progress"]))).get()', q({"$expr": {"$gt": ["$price", "$progress"]}}))
snippet("orderBy and limit", f'{W}.orderBy("price", "desc").limit(3).get()', q(orderBy=[["price", "desc"]], limit=3))
snippet("orderBy two fields", f'{W}.orderBy("category", "asc").orderBy("price", "desc").get()', q(orderBy=[["category", "asc"], ["price", "desc"]]))
snippet("skip and limit", f'{W}.orderBy("progress", "asc").skip(2).limit(3).get()', q(orderBy=[["progress", "asc"]], skip=2, limit=3))
snippet("field projection", f'{W}.where({{"done": true}}).field({{"title": true, "price": true}}).get()', q({"done": True}, fields={"title": True, "price": True}))
snippet("count with where", f'{W}.where({{"category": "tech"}}).count()', {"op": "count", "where": {"category": "tech"}})
snippet("count everything", f'{W}.count()', {"op": "count"})
snippet("doc get", f'{W}.doc("b3").get()', q({"_id": "b3"}))
snippet("doc field get", f'{W}.doc("b3").field({{"title": true}}).get()', q({"_id": "b3"}, fields={"title": True}))

# ---- geo (guide: 地理位置; reference: db.Geo, geoNear, geoWithin, geoIntersects)
snippet("geoNear", f'{W}.where({{"location": _.geoNear({{"geometry": db.Geo.Point(113.323, 23.121), "maxDistance": 15000, "minDistance": 0}})}}).get()',
        q({"location": {"$nearSphere": {"$geometry": point(113.323, 23.121), "$maxDistance": 15000, "$minDistance": 0}}}))
snippet("geoWithin a polygon", f'{W}.where({{"location": _.geoWithin({{"geometry": db.Geo.Polygon([db.Geo.LineString([db.Geo.Point(113, 23), db.Geo.Point(114, 23), db.Geo.Point(114, 24), db.Geo.Point(113, 24), db.Geo.Point(113, 23)])])}})}}).get()',
        q({"location": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[113, 23], [114, 23], [114, 24], [113, 24], [113, 23]]]}}}}))
snippet("geoWithin a centerSphere", f'{W}.where({{"location": _.geoWithin({{"centerSphere": [[113.32, 23.12], 0.002]}})}}).get()',
        q({"location": {"$geoWithin": {"$centerSphere": [[113.32, 23.12], 0.002]}}}))
snippet("geoIntersects a polygon", f'{W}.where({{"location": _.geoIntersects({{"geometry": db.Geo.Polygon([db.Geo.LineString([db.Geo.Point(120, 30), db.Geo.Point(122, 30), db.Geo.Point(122, 32), db.Geo.Point(120, 32), db.Geo.Point(120, 30)])])}})}}).get()',
        q({"location": {"$geoIntersects": {"$geometry": {"type": "Polygon", "coordinates": [[[120, 30], [122, 30], [122, 32], [120, 32], [120, 30]]]}}}}))
snippet("update a Geo point", f'{W}.doc("b1").update({{"data": {{"location": db.Geo.Point(116.4, 39.9)}}}})', upd({"_id": "b1"}, {"$set": {"location": point(116.4, 39.9)}}))
snippet("add a record with a MultiPoint", f'{W}.add({{"data": {{"_id": "g1", "title": "Route", "path": db.Geo.MultiPoint([db.Geo.Point(113, 23), db.Geo.Point(114, 24)])}}}})',
        {"op": "add", "docs": {"_id": "g1", "title": "Route", "path": {"type": "MultiPoint", "coordinates": [[113, 23], [114, 24]]}}})

# ---- update (guide: 更新数据, 更新指令)
snippet("update plain fields", f'{W}.where({{"done": false}}).update({{"data": {{"done": true}}}})', upd({"done": False}, {"$set": {"done": True}}))
snippet("update a nested object sets by path", f'{W}.doc("b1").update({{"data": {{"stock": {{"count": 9}}}}}})', upd({"_id": "b1"}, {"$set": {"stock.count": 9}}))
snippet("command set replaces an object", f'{W}.doc("b1").update({{"data": {{"stock": _.set({{"count": 1}})}}}})', upd({"_id": "b1"}, {"$set": {"stock": {"count": 1}}}))
snippet("command inc", f'{W}.where({{"category": "tech"}}).update({{"data": {{"progress": _.inc(10)}}}})', upd({"category": "tech"}, {"$inc": {"progress": 10}}))
snippet("command mul", f'{W}.doc("b2").update({{"data": {{"price": _.mul(2)}}}})', upd({"_id": "b2"}, {"$mul": {"price": 2}}))
snippet("command remove", f'{W}.doc("b2").update({{"data": {{"reviews": _.remove()}}}})', upd({"_id": "b2"}, {"$unset": {"reviews": ""}}))
snippet("command push an array", f'{W}.doc("b4").update({{"data": {{"tags": _.push(["classic", "verse"])}}}})', upd({"_id": "b4"}, {"$push": {"tags": {"$each": ["classic", "verse"]}}}))
snippet("command push with each and position", f'{W}.doc("b4").update({{"data": {{"tags": _.push({{"each": ["first"], "position": 0}})}}}})', upd({"_id": "b4"}, {"$push": {"tags": {"$each": ["first"], "$position": 0}}}))
snippet("command pop", f'{W}.doc("b3").update({{"data": {{"tags": _.pop()}}}})', upd({"_id": "b3"}, {"$pop": {"tags": 1}}))
snippet("command shift", f'{W}.doc("b3").update({{"data": {{"tags": _.shift()}}}})', upd({"_id": "b3"}, {"$pop": {"tags": -1}}))
snippet("command unshift", f'{W}.doc("b3").update({{"data": {{"tags": _.unshift(["new", "hot"])}}}})', upd({"_id": "b3"}, {"$push": {"tags": {"$each": ["new", "hot"], "$position": 0}}}))
snippet("command addToSet", f'{W}.where({{"category": "novel"}}).update({{"data": {{"tags": _.addToSet("classic")}}}})', upd({"category": "novel"}, {"$addToSet": {"tags": "classic"}}))
snippet("command pull", f'{W}.where({{"tags": "cloud"}}).update({{"data": {{"tags": _.pull("cloud")}}}})', upd({"tags": "cloud"}, {"$pull": {"tags": "cloud"}}))
snippet("command pull with a condition", f'{W}.doc("b1").update({{"data": {{"reviews": _.pull({{"score": _.lt(4)}})}}}})', upd({"_id": "b1"}, {"$pull": {"reviews": {"score": {"$lt": 4}}}}))
snippet("command pullAll", f'{W}.doc("b3").update({{"data": {{"tags": _.pullAll(["tech", "wechat"])}}}})', upd({"_id": "b3"}, {"$pullAll": {"tags": ["tech", "wechat"]}}))
snippet("command min", f'{W}.where({{"category": "tech"}}).update({{"data": {{"price": _.min(50)}}}})', upd({"category": "tech"}, {"$min": {"price": 50}}))
snippet("command max", f'{W}.where({{"category": "poetry"}}).update({{"data": {{"progress": _.max(70)}}}})', upd({"category": "poetry"}, {"$max": {"progress": 70}}))
snippet("command rename", f'{W}.doc("b5").update({{"data": {{"progress": _.rename("percent")}}}})', upd({"_id": "b5"}, {"$rename": {"progress": "percent"}}))
snippet("serverDate", f'{W}.doc("b6").update({{"data": {{"updatedAt": db.serverDate()}}}})', upd({"_id": "b6"}, {"$set": {"updatedAt": {"$serverDate": {"offset": 0}}}}), volatile=["updatedAt"])
snippet("serverDate with an offset", f'{W}.doc("b6").update({{"data": {{"remindAt": db.serverDate({{"offset": 3600000}})}}}})', upd({"_id": "b6"}, {"$set": {"remindAt": {"$serverDate": {"offset": 3600000}}}}), volatile=["remindAt"])
snippet("several commands in one update", f'{W}.doc("b7").update({{"data": {{"progress": _.inc(5), "stock": {{"warehouse": "east"}}, "tags": _.push("popular")}}}})',
        upd({"_id": "b7"}, {"$inc": {"progress": 5}, "$set": {"stock.warehouse": "east"}, "$push": {"tags": {"$each": ["popular"]}}}))
snippet("remove with where", f'{W}.where({{"price": _.gt(60)}}).remove()', {"op": "delete", "where": {"price": {"$gt": 60}}})
snippet("doc remove", f'{W}.doc("b8").remove()', {"op": "delete", "where": {"_id": "b8"}})
snippet("add one record", f'{W}.add({{"data": {{"_id": "n1", "title": "New", "price": 10, "due": new Date("2027-01-01T00:00:00Z")}}}})',
        {"op": "add", "docs": {"_id": "n1", "title": "New", "price": 10, "due": date("2027-01-01T00:00:00Z")}},
        py=f'{W}.add({{"data": {{"_id": "n1", "title": "New", "price": 10, "due": datetime(2027, 1, 1, tzinfo=timezone.utc)}}}})')
snippet("add several records", f'{W}.add({{"data": [{{"_id": "n2", "title": "Two"}}, {{"_id": "n3", "title": "Three"}}]}})', {"op": "add", "docs": [{"_id": "n2", "title": "Two"}, {"_id": "n3", "title": "Three"}]})
snippet("doc set replaces the record", f'{W}.doc("b2").set({{"data": {{"title": "Replaced", "price": 1}}}})',
        {"op": "statement", "operation": "update", "text": 'db.collection(C).doc("b2").set({data: {"title": "Replaced", "price": 1}})'})

# ---- aggregate (guide: 聚合; reference: db.command.aggregate and the stages)
snippet("match and group with sum", f'{W}.aggregate().match({{"done": false}}).group({{"_id": "$category", "total": $.sum("$price")}}).sort({{"_id": 1}}).end()',
        agg({"$match": {"done": False}}, {"$group": {"_id": "$category", "total": {"$sum": "$price"}}}, {"$sort": {"_id": 1}}))
snippet("match with commands", f'{W}.aggregate().match({{"progress": _.gt(40).and(_.lt(90))}}).project({{"title": 1}}).end()',
        agg({"$match": {"$and": [{"progress": {"$gt": 40}}, {"progress": {"$lt": 90}}]}}, {"$project": {"title": 1}}))
snippet("project with multiply", f'{W}.aggregate().project({{"title": 1, "discounted": $.multiply(["$price", 0.8])}}).end()', agg({"$project": {"title": 1, "discounted": {"$multiply": ["$price", 0.8]}}}))
snippet("sort and limit", f'{W}.aggregate().sort({{"price": -1}}).limit(3).end()', agg({"$sort": {"price": -1}}, {"$limit": 3}))
snippet("sort skip limit", f'{W}.aggregate().sort({{"progress": 1}}).skip(2).limit(2).end()', agg({"$sort": {"progress": 1}}, {"$skip": 2}, {"$limit": 2}))
snippet("count stage", f'{W}.aggregate().match({{"category": "tech"}}).count("techBooks").end()', agg({"$match": {"category": "tech"}}, {"$count": "techBooks"}))
snippet("unwind and group", f'{W}.aggregate().unwind("$tags").group({{"_id": "$tags", "n": $.sum(1)}}).sort({{"n": -1, "_id": 1}}).end()',
        agg({"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}))
snippet("sortByCount", f'{W}.aggregate().sortByCount("$category").end()', agg({"$sortByCount": "$category"}))
snippet("bucket", f'{W}.aggregate().bucket({{"groupBy": "$price", "boundaries": [0, 30, 60, 100], "default": "other", "output": {{"count": $.sum(1), "titles": $.push("$title")}}}}).end()',
        agg({"$bucket": {"groupBy": "$price", "boundaries": [0, 30, 60, 100], "default": "other", "output": {"count": {"$sum": 1}, "titles": {"$push": "$title"}}}}))
snippet("addFields with add", f'{W}.aggregate().addFields({{"score": $.add(["$price", "$progress"])}}).project({{"score": 1}}).end()',
        agg({"$addFields": {"score": {"$add": ["$price", "$progress"]}}}, {"$project": {"score": 1}}))
snippet("replaceRoot", f'{W}.aggregate().replaceRoot({{"newRoot": "$stock"}}).end()', agg({"$replaceRoot": {"newRoot": "$stock"}}))
snippet("group accumulators", f'{W}.aggregate().group({{"_id": "$category", "avg": $.avg("$price"), "max": $.max("$progress"), "min": $.min("$progress"), "authors": $.addToSet("$author"), "first": $.first("$title")}}).sort({{"_id": 1}}).end()',
        agg({"$group": {"_id": "$category", "avg": {"$avg": "$price"}, "max": {"$max": "$progress"}, "min": {"$min": "$progress"}, "authors": {"$addToSet": "$author"}, "first": {"$first": "$title"}}}, {"$sort": {"_id": 1}}))
snippet("string operators", f'{W}.aggregate().project({{"upper": $.toUpper("$title"), "len": $.strLenCP("$author"), "both": $.concat(["$author", ": ", "$title"])}}).end()',
        agg({"$project": {"upper": {"$toUpper": "$title"}, "len": {"$strLenCP": "$author"}, "both": {"$concat": ["$author", ": ", "$title"]}}}))
snippet("date operators", f'{W}.aggregate().project({{"year": $.year("$published"), "month": $.month("$published")}}).end()', agg({"$project": {"year": {"$year": "$published"}, "month": {"$month": "$published"}}}))
snippet("cond", f'{W}.aggregate().project({{"band": $.cond({{"if": $.gte(["$price", 40]), "then": "high", "else": "low"}})}}).end()',
        agg({"$project": {"band": {"$cond": {"if": {"$gte": ["$price", 40]}, "then": "high", "else": "low"}}}}))
snippet("array operators", f'{W}.aggregate().project({{"firstTag": $.arrayElemAt(["$tags", 0]), "tagCount": $.size("$tags")}}).end()', agg({"$project": {"firstTag": {"$arrayElemAt": ["$tags", 0]}, "tagCount": {"$size": "$tags"}}}))
snippet("lookup", f'{W}.aggregate().match({{"_id": "b1"}}).lookup({{"from": C, "localField": "author", "foreignField": "author", "as": "same"}}).project({{"n": $.size("$same")}}).end()',
        agg({"$match": {"_id": "b1"}}, {"$lookup": {"from": "__C__", "localField": "author", "foreignField": "author", "as": "same"}}, {"$project": {"n": {"$size": "$same"}}}))
snippet("geoNear stage", f'{W}.aggregate().geoNear({{"distanceField": "distance", "spherical": true, "near": db.Geo.Point(113.323, 23.121), "maxDistance": 20000, "query": {{"done": false}}}}).project({{"title": 1, "distance": 1}}).end()',
        agg({"$geoNear": {"distanceField": "distance", "spherical": True, "near": point(113.323, 23.121), "maxDistance": 20000, "query": {"done": False}}}, {"$project": {"title": 1, "distance": 1}}))


def main():
    data = {
        "about": __doc__.strip().splitlines()[0],
        "collection_placeholder": "__C__",
        "seed": SEED,
        "snippets": S,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(S)} snippets -> {OUT}")


if __name__ == "__main__":
    main()
