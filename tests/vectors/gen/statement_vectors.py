#!/usr/bin/env python3
"""Writes tests/vectors/statements.json: the statement writer's shared vectors.

Usage (from the repository root):
  python3 tests/vectors/gen/statement_vectors.py                 # rewrite, keeping existing expects
  STATEMENT_VECTORS_BLESS=1 cargo test -p wxcloud --test statement_vectors -- --nocapture \
      | grep '^BLESS' > /tmp/bless.txt
  python3 tests/vectors/gen/statement_vectors.py --bless /tmp/bless.txt   # fill in new expects

A new case has no `expect` until blessed; review the blessed text in the diff before committing.
Cases with `error` never get an `expect`.
"""
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "statements.json")
C=[]
def case(name, op, input, coll="users", error=None, **kw):
    c={"name":name,"op":op,"collection":coll,"input":input}
    if error: c["error"]=error
    c.update(kw)
    C.append(c)
I=lambda n:{"$numberInt":str(n)}
L=lambda n:{"$numberLong":str(n)}
D=lambda x:{"$numberDouble":x}
DATE=lambda ms:{"$date":{"$numberLong":str(ms)}}
RE=lambda p,o="":{"$regularExpression":{"pattern":p,"options":o}}
PT=lambda a,b:{"type":"Point","coordinates":[a,b]}
# ---- query
case("query everything","query",{})
case("query equality filter","query",{"where":{"name":"Tom","age":I(18)}})
case("query range on one field chains and","query",{"where":{"age":{"$gt":I(5),"$lt":I(9)}}})
case("query ne is neq","query",{"where":{"status":{"$ne":"done"}}})
case("query in nin all","query",{"where":{"a":{"$in":[I(1),I(2)]},"b":{"$nin":["x"]},"c":{"$all":["p","q"]}}})
case("query exists size mod","query",{"where":{"a":{"$exists":True},"b":{"$size":I(2)},"c":{"$mod":[I(4),I(1)]}}})
case("query elemMatch keeps its operator document","query",{"where":{"items":{"$elemMatch":{"qty":{"$gt":I(5)},"sku":"a"}}}})
case("query regex with options","query",{"where":{"name":{"$regex":"^to","$options":"i"}}})
case("query regex value","query",{"where":{"name":RE("a.c","im")}})
case("query regex with another operator goes last","query",{"where":{"name":{"$regex":"x","$ne":"xy"}}})
case("query not","query",{"where":{"age":{"$not":{"$gt":I(30)}}}})
case("query top-level or","query",{"where":{"$or":[{"a":I(1)},{"b":{"$lt":I(2)}}]}})
case("query fields next to or are and-ed","query",{"where":{"x":"y","$or":[{"a":I(1)},{"b":I(2)}]}})
case("query nor and and","query",{"where":{"$nor":[{"a":I(1)}],"$and":[{"b":I(2)},{"c":I(3)}]}})
case("query equality with a document uses eq","query",{"where":{"address":{"city":"SZ","zip":I(518000)}}})
case("query equality with an empty document","query",{"where":{"meta":{}}})
case("query date and server date","query",{"where":{"created":{"$lt":DATE(1700000000000)},"due":{"$gte":{"$serverDate":{"offset":I(-1000)}}}}})
case("query geo near","query",{"where":{"loc":{"$near":{"$geometry":PT(113.3,23.1),"$maxDistance":I(1000),"$minDistance":I(0)}}}})
case("query geo within polygon","query",{"where":{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[3,6],[6,1],[0,0]]]}}}}})
case("query geo within center sphere","query",{"where":{"loc":{"$geoWithin":{"$centerSphere":[[I(10),I(20)],D("0.1")]}}}})
case("query geo intersects line","query",{"where":{"route":{"$geoIntersects":{"$geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}}}})
case("query order skip limit fields","query",{"where":{"age":{"$gte":I(18)}},"order_by":[["age","desc"],["name",1]],"skip":20,"limit":10,"fields":{"name":True,"age":I(1)}})
case("query by document id","query",{"doc":"doc-1","fields":{"name":I(1)}},rust_only=True)
case("query equality with an array uses eq","query",{"where":{"tags":["a",{"$oid":"5f1b2c3d4e5f60718293a4b5"}]}})
case("query object id","query",{"where":{"ref":{"$oid":"5f1b2c3d4e5f60718293a4b5"},"refs":{"$in":[{"$oid":"5f1b2c3d4e5f60718293a4b6"}]}}})
case("query dotted field path","query",{"where":{"address.city":"SZ"}})
case("query hostile strings stay data","query",{"where":{"name":"\"); db.collection(\"admin\").remove(); (\"","bio":"line\u2028sep\u2029end","q":"back\\slash 'single' `tick` ${x}","nul":"a\u0000b","emoji":"😀"}})
case("query hostile field names stay keys","query",{"where":{"a\"b":I(1),"c\\d":I(2),"}); db.x({":I(3)}})
case("query int64 exact","query",{"where":{"big":L(9007199254740993 - 1),"small":L(5)}})
case("query double always has a fraction","query",{"where":{"x":D("1.0"),"y":D("0.5"),"z":D("1e+300"),"w":D("-0.0")}})
case("query direction by number","query",{"order_by":[["a",-1]]})
# ---- count
case("count all","count",{})
case("count with filter","count",{"where":{"tags":"cloud"}})
# ---- add
case("add many","add",{"docs":[{"name":"a","n":I(1)},{"name":"b","when":DATE(0),"loc":PT(113.3,23.1),"tags":["x","y"]}]})
case("add one","add",{"doc":{"name":"a","at":{"$serverDate":{}}}},rust_only=True)
case("add geo shapes","add",{"docs":[{"line":{"type":"LineString","coordinates":[[0,0],[1,1]]},"poly":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"mp":{"type":"MultiPoint","coordinates":[[0,0]]},"ml":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]},"mpoly":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}]})
case("add not-quite geo stays a document","add",{"docs":[{"p":{"coordinates":[1,2],"type":"Point"},"q":{"type":"Point","coordinates":[200,0]}}]})
case("add object id","add",{"docs":[{"ref":{"$oid":"5f1b2c3d4e5f60718293a4b5"}}]})
# ---- update
case("update operators","update",{"where":{"_id":"x"},"data":{"$inc":{"n":I(1)},"$set":{"a.b":"v","sub":{"k":I(1)}},"$unset":{"old":""}}})
case("update plain document is set","update",{"where":{"a":I(1)},"data":{"name":"new","age":I(3)}})
case("update array operators","update",{"where":{"a":I(1)},"data":{"$push":{"tags":"t"},"$addToSet":{"s":"u"},"$pull":{"p":{"$gt":I(3)}},"$pullAll":{"q":[I(1),I(2)]},"$pop":{"x":I(1),"y":I(-1)}}})
case("update push with modifiers","update",{"where":{"a":I(1)},"data":{"$push":{"scores":{"$each":[I(90),I(80)],"$position":I(0),"$slice":I(5)}}}})
case("update mul min max rename","update",{"where":{"a":I(1)},"data":{"$mul":{"p":D("1.5")},"$min":{"lo":I(0)},"$max":{"hi":DATE(1000)},"$rename":{"nick":"alias"}}})
case("update by document id","update",{"doc":"id-1","data":{"$inc":{"n":I(2)}}},rust_only=True)
case("replace by document id","update",{"doc":"id-1","replace":{"name":"whole","n":I(1)}},rust_only=True)
case("update set server date","update",{"where":{"a":I(1)},"data":{"$set":{"at":{"$serverDate":{}}}}})
# ---- delete
case("delete by filter","delete",{"where":{"age":{"$lt":I(18)}}})
case("delete by id","delete",{"doc":"id-2"},rust_only=True)
case("delete by numeric id","delete",{"doc":I(7)},rust_only=True)
# ---- aggregate
case("aggregate the readme pipeline","aggregate",{"pipeline":[{"$match":{"tags":"cloud"}},{"$limit":I(10)}]},coll="test_collection")
case("aggregate group with accumulators","aggregate",{"pipeline":[{"$group":{"_id":"$tag","n":{"$sum":I(1)},"avg":{"$avg":"$price"},"first":{"$first":"$name"},"all":{"$push":"$name"},"set":{"$addToSet":"$c"},"sd":{"$stdDevPop":"$x"}}}]})
case("aggregate project with expressions","aggregate",{"pipeline":[{"$project":{"_id":I(0),"total":{"$add":["$a","$b",I(1)]},"upper":{"$toUpper":"$name"},"label":{"$concat":["$first"," ","$last"]},"big":{"$cond":{"if":{"$gte":["$n",I(10)]},"then":"yes","else":"no"}},"notEq":{"$ne":["$a","$b"]}}}]})
case("aggregate literal keeps its argument raw","aggregate",{"pipeline":[{"$addFields":{"raw":{"$literal":{"$sum":"$not-an-operator"}}}}]})
case("aggregate every simple stage","aggregate",{"pipeline":[{"$sort":{"age":I(-1)}},{"$skip":I(5)},{"$limit":I(5)},{"$sample":{"size":I(3)}},{"$count":"total"}]})
case("aggregate unwind sortByCount replaceRoot","aggregate",{"pipeline":[{"$unwind":"$tags"},{"$unwind":{"path":"$x","preserveNullAndEmptyArrays":True}},{"$sortByCount":"$tags"},{"$replaceRoot":{"newRoot":{"$mergeObjects":["$a","$b"]}}}]})
case("aggregate bucket and bucketAuto","aggregate",{"pipeline":[{"$bucket":{"groupBy":"$price","boundaries":[I(0),I(100),I(200)],"default":"other","output":{"n":{"$sum":I(1)}}}},{"$bucketAuto":{"groupBy":"$n","buckets":I(4)}}]})
case("aggregate lookup with pipeline","aggregate",{"pipeline":[{"$lookup":{"from":"orders","let":{"uid":"$_id"},"pipeline":[{"$match":{"$expr":{"$eq":["$user","$$uid"]}}}],"as":"orders"}}]})
case("aggregate geoNear","aggregate",{"pipeline":[{"$geoNear":{"near":PT(113.3,23.1),"distanceField":"dist","maxDistance":I(5000),"query":{"type":"shop"},"spherical":True}}]})
case("aggregate match with or and dates","aggregate",{"pipeline":[{"$match":{"$or":[{"at":{"$gte":DATE(1600000000000)}},{"vip":True}]}}]})
case("aggregate hostile strings","aggregate",{"pipeline":[{"$match":{"name":"\"); db.collection(\"x\").remove(); //"}},{"$project":{"v":{"$literal":"\u2028\u2029\u0000😀"}}}]})
case("aggregate date operators","aggregate",{"pipeline":[{"$project":{"y":{"$year":"$at"},"s":{"$dateToString":{"format":"%Y-%m-%d","date":"$at"}},"arr":{"$arrayElemAt":["$xs",I(0)]},"f":{"$filter":{"input":"$xs","as":"x","cond":{"$gt":["$$x",I(1)]}}}}}]})
# ---- refusals
case("refuse NaN","query",{"where":{"x":D("NaN")}},error="not finite")
case("refuse infinity in a pipeline","aggregate",{"pipeline":[{"$match":{"x":{"$gt":D("Infinity")}}}]},error="not finite")
case("refuse empty collection name","count",{},coll="",error="invalid collection name")
case("refuse collection name with a quote","count",{},coll="a\"); db.x(\"",error="invalid collection name")
case("refuse collection name with a space","count",{},coll="my coll",error="invalid collection name")
case("refuse a too long collection name","count",{},coll="a"*65,error="invalid collection name")
case("refuse unsupported filter operator","query",{"where":{"a":{"$where":"1"}}},error="unsupported filter operator `$where`")
case("refuse top-level $where","query",{"where":{"$where":"this.a > 1"}},error="unsupported filter operator `$where`")
case("count with $expr in a filter","count",{"where":{"$expr":{"$gt":["$a","$b"]}}},expect='db.collection("users").where(db.command.expr(db.command.aggregate.gt(["$a", "$b"]))).count()')
case("refuse unsupported stage","aggregate",{"pipeline":[{"$out":"other"}]},error="unsupported aggregate stage `$out`")
case("refuse a stage with two keys","aggregate",{"pipeline":[{"$match":{},"$limit":I(1)}]},error="exactly one")
case("refuse unsupported aggregate operator","aggregate",{"pipeline":[{"$project":{"s":{"$toString":"$n"}}}]},error="unsupported aggregate operator `$toString` (at `pipeline[0].$project.s.$toString`)")
case("refuse unsupported update operator","update",{"where":{},"data":{"$currentDate":{"at":True}}},error="unsupported update operator `$currentDate`")
case("refuse updating _id","update",{"where":{},"data":{"$set":{"_id":"x"}}},error="`_id` cannot be updated")
case("refuse mixing operators and fields in an update","update",{"where":{},"data":{"$set":{"a":I(1)},"b":I(2)}},error="mixes operators")
case("refuse one field under two operators","update",{"where":{},"data":{"$set":{"a":I(1)},"$inc":{"a":I(2)}}},error="updated twice")
case("refuse decimal128","add",{"docs":[{"price":{"$numberDecimal":"1.10"}}]},error="Decimal128")
case("refuse binary","add",{"docs":[{"b":{"$binary":{"base64":"AAEC","subType":"00"}}}]},error="Binary")
case("refuse minkey","query",{"where":{"a":{"$gt":{"$minKey":1}}}},error="MinKey")
case("refuse timestamp","add",{"docs":[{"t":{"$timestamp":{"t":1,"i":2}}}]},error="Timestamp")
case("refuse int64 beyond 2^53","add",{"docs":[{"n":L(9007199254740993)}]},error="2^53")
case("refuse __proto__ as a key","add",{"docs":[{"__proto__":{"admin":True}}]},error="__proto__")
case("refuse not with a regex","query",{"where":{"a":{"$not":RE("x")}}},error="`$not` with a regular expression")
case("refuse not with two operators","query",{"where":{"a":{"$not":{"$gt":I(1),"$lt":I(5)}}}},error="exactly one operator")
case("refuse empty or","query",{"where":{"$or":[]}},error="non-empty array")
case("refuse mixed operators and fields in a condition","query",{"where":{"a":{"$gt":I(1),"b":I(2)}}},error="mixed")
case("refuse options without regex","query",{"where":{"a":{"$options":"i"}}},error="`$options` without `$regex`")
case("refuse in without an array","query",{"where":{"a":{"$in":I(1)}}},error="`$in` takes an array")
case("refuse empty regex","query",{"where":{"a":RE("")}},error="empty regular expression")
case("refuse geoWithin a point","query",{"where":{"loc":{"$geoWithin":{"$geometry":PT(1,2)}}}},error="not allowed here")
case("refuse geo near without maxDistance inside or","query",{"where":{"$or":[{"loc":{"$near":{"$geometry":PT(1,2)}}},{"a":I(1)}]}},error="needs `$maxDistance`")
case("refuse geo near without maxDistance next to another operator","query",{"where":{"loc":{"$near":{"$geometry":PT(1,2)},"$exists":True}}},error="needs `$maxDistance`")
case("query geo near without distances","query",{"where":{"loc":{"$nearSphere":{"$geometry":PT(1,2)}}}})
case("refuse geo near without exact point","query",{"where":{"loc":{"$near":{"$geometry":{"type":"Point","coordinates":[500,1]}}}}},error="exact GeoJSON")
case("refuse serverDate in a group stage","aggregate",{"pipeline":[{"$group":{"_id":None,"t":{"$max":{"$serverDate":{}}}}}]},error="unsupported aggregate operator `$serverDate`")
case("refuse object id in a raw stage","aggregate",{"pipeline":[{"$sort":{"a":I(1)}},{"$addFields":{"r":{"$literal":{"$oid":"5f1b2c3d4e5f60718293a4b5"}}}}]},error="ObjectId")
case("refuse a bad sort direction","query",{"order_by":[["a","up"]]},error="sort direction")
case("refuse order by a field starting with a quote","query",{"order_by":[["\"x","asc"]]},error="cannot order by")
case("refuse adding nothing","add",{"docs":[]},error="nothing to add")
case("refuse a boolean document id","delete",{"doc":True},error="string or a number",rust_only=True)
case("refuse a limit that is not an integer","aggregate",{"pipeline":[{"$limit":D("2.5")}]},error="takes an integer")
case("refuse pop of 2","update",{"where":{},"data":{"$pop":{"a":I(2)}}},error="`$pop` takes 1")
case("refuse unknown push modifier","update",{"where":{},"data":{"$push":{"a":{"$each":[],"$bogus":I(1)}}}},error="unsupported `$push` modifier")
case("refuse unknown regex option","query",{"where":{"a":RE("x","g")}},error="regular expression option")

def main():
    old = {}
    if os.path.exists(OUT):
        for c in json.load(open(OUT))["cases"]:
            if "expect" in c:
                old[c["name"]] = c["expect"]
    if len(sys.argv) == 3 and sys.argv[1] == "--bless":
        for line in open(sys.argv[2]):
            name, text = line[len("BLESS "):].rstrip("\n").split("\t", 1)
            old.setdefault(name, text)
    for c in C:
        if "error" not in c and c["name"] in old:
            c["expect"] = old[c["name"]]
    names = [c["name"] for c in C]
    assert len(names) == len(set(names)), "case names must be unique"
    description = ("Statement vectors: MongoDB-style input -> statement text, or an error. "
                   "Format: tests/vectors/README.md (## Statements). Generated by gen/statement_vectors.py.")
    with open(OUT, "w") as f:
        f.write('{"description": %s,\n "cases": [\n' % json.dumps(description))
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=True) for c in C))
        f.write("\n ]\n}\n")
    print(f"{len(C)} cases, {sum('expect' in c for c in C)} with expected text, "
          f"{sum('error' in c for c in C)} refusals")


if __name__ == "__main__":
    main()
