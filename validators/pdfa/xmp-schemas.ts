// The schemas predefined by the XMP Specification (January 2004), which ISO 19005-1 6.7.2
// allows without an extension schema, with each property's value type. PDF/A-1 refers to the
// 2004 edition, so properties added later (xmp:Rating, xmpMM:InstanceID, pdf:Trapped…) need an
// extension schema. Value types: simple names, "bag T", "seq T", "alt T", "LangAlt", or a
// structure name (any structure is accepted for those). "Integer{1,6}" is a closed choice.

const SCHEMAS: Record<string, { prefix: string; props: string }> = {
  'http://purl.org/dc/elements/1.1/': {
    prefix: 'dc',
    props:
      'contributor:bag ProperName;coverage:Text;creator:seq ProperName;date:seq Date;description:LangAlt;format:MIMEType;identifier:Text;language:bag Locale;publisher:bag ProperName;relation:bag Text;rights:LangAlt;source:Text;subject:bag Text;title:LangAlt;type:bag Text',
  },
  'http://ns.adobe.com/xap/1.0/': {
    prefix: 'xmp',
    props:
      'Advisory:bag Text;BaseURL:URL;CreateDate:Date;CreatorTool:AgentName;Identifier:bag Text;MetadataDate:Date;ModifyDate:Date;Nickname:Text;Thumbnails:alt Thumbnail',
  },
  'http://ns.adobe.com/xap/1.0/rights/': {
    prefix: 'xmpRights',
    props: 'Certificate:URL;Marked:Boolean;Owner:bag ProperName;UsageTerms:LangAlt;WebStatement:URL',
  },
  'http://ns.adobe.com/xap/1.0/mm/': {
    prefix: 'xmpMM',
    props:
      'DerivedFrom:ResourceRef;DocumentID:URI;History:seq ResourceEvent;ManagedFrom:ResourceRef;Manager:AgentName;ManageTo:URI;ManageUI:URI;ManagerVariant:Text;InstanceID:URI;RenditionClass:RenditionClass;RenditionParams:Text;VersionID:Text;Versions:seq Version;LastURL:URL;RenditionOf:ResourceRef;SaveID:Integer',
  },
  'http://ns.adobe.com/xap/1.0/bj/': { prefix: 'xmpBJ', props: 'JobRef:bag Job' },
  'http://ns.adobe.com/xap/1.0/t/pg/': {
    prefix: 'xmpTPg',
    props: 'MaxPageSize:Dimensions;NPages:Integer',
  },
  'http://ns.adobe.com/pdf/1.3/': { prefix: 'pdf', props: 'Keywords:Text;PDFVersion:Text;Producer:AgentName' },
  'http://ns.adobe.com/photoshop/1.0/': {
    prefix: 'photoshop',
    props:
      'AuthorsPosition:Text;CaptionWriter:ProperName;Category:Text;City:Text;Country:Text;Credit:Text;DateCreated:Date;Headline:Text;Instructions:Text;Source:Text;State:Text;SupplementalCategories:bag Text;TransmissionReference:Text;Urgency:Integer',
  },
  'http://ns.adobe.com/tiff/1.0/': {
    prefix: 'tiff',
    props:
      'ImageWidth:Integer;ImageLength:Integer;BitsPerSample:seq Integer;Compression:Integer{1,6};PhotometricInterpretation:Integer{2,6};Orientation:Integer{1,2,3,4,5,6,7,8};SamplesPerPixel:Integer;PlanarConfiguration:Integer{1,2};YCbCrSubSampling:seq Integer;YCbCrPositioning:Integer{1,2};XResolution:Rational;YResolution:Rational;ResolutionUnit:Integer{2,3};TransferFunction:seq Integer;WhitePoint:seq Rational;PrimaryChromaticities:seq Rational;YCbCrCoefficients:seq Rational;ReferenceBlackWhite:seq Rational;DateTime:Date;ImageDescription:LangAlt;Make:ProperName;Model:ProperName;Software:AgentName;Artist:ProperName;Copyright:LangAlt',
  },
  'http://ns.adobe.com/exif/1.0/': {
    prefix: 'exif',
    props:
      'ExifVersion:Text;FlashpixVersion:Text;ColorSpace:Integer{1,65535};ComponentsConfiguration:seq Integer;CompressedBitsPerPixel:Rational;PixelXDimension:Integer;PixelYDimension:Integer;UserComment:LangAlt;RelatedSoundFile:Text;DateTimeOriginal:Date;DateTimeDigitized:Date;ExposureTime:Rational;FNumber:Rational;ExposureProgram:Integer{0,1,2,3,4,5,6,7,8};SpectralSensitivity:Text;ISOSpeedRatings:seq Integer;OECF:OECF;ShutterSpeedValue:Rational;ApertureValue:Rational;BrightnessValue:Rational;ExposureBiasValue:Rational;MaxApertureValue:Rational;SubjectDistance:Rational;MeteringMode:Integer{0,1,2,3,4,5,6,255};LightSource:Integer{0,1,2,3,4,9,10,11,12,13,14,15,17,18,19,20,21,22,23,24,255};Flash:Flash;FocalLength:Rational;SubjectArea:seq Integer;FlashEnergy:Rational;SpatialFrequencyResponse:OECF;FocalPlaneXResolution:Rational;FocalPlaneYResolution:Rational;FocalPlaneResolutionUnit:Integer{2,3};SubjectLocation:seq Integer;ExposureIndex:Rational;SensingMethod:Integer{1,2,3,4,5,7,8};FileSource:Integer{3};SceneType:Integer{1};CFAPattern:CFAPattern;CustomRendered:Integer{0,1};ExposureMode:Integer{0,1,2};WhiteBalance:Integer{0,1};DigitalZoomRatio:Rational;FocalLengthIn35mmFilm:Integer;SceneCaptureType:Integer{0,1,2,3};GainControl:Integer{0,1,2,3,4};Contrast:Integer{0,1,2};Saturation:Integer{0,1,2};Sharpness:Integer{0,1,2};DeviceSettingDescription:DeviceSettings;SubjectDistanceRange:Integer{0,1,2,3};ImageUniqueID:Text;GPSVersionID:Text;GPSLatitude:GPSCoordinate;GPSLongitude:GPSCoordinate;GPSAltitudeRef:Integer{0,1};GPSAltitude:Rational;GPSTimeStamp:Date;GPSSatellites:Text;GPSStatus:Text{A,V};GPSMeasureMode:Text{2,3};GPSDOP:Rational;GPSSpeedRef:Text{K,M,N};GPSSpeed:Rational;GPSTrackRef:Text{T,M};GPSTrack:Rational;GPSImgDirectionRef:Text{T,M};GPSImgDirection:Rational;GPSMapDatum:Text;GPSDestLatitude:GPSCoordinate;GPSDestLongitude:GPSCoordinate;GPSDestBearingRef:Text{T,M};GPSDestBearing:Rational;GPSDestDistanceRef:Text{K,M,N};GPSDestDistance:Rational;GPSProcessingMethod:Text;GPSAreaInformation:Text;GPSDifferential:Integer{0,1}',
  },
  'http://ns.adobe.com/camera-raw-settings/1.0/': {
    prefix: 'crs',
    props:
      'AutoBrightness:Boolean;AutoContrast:Boolean;AutoExposure:Boolean;AutoShadows:Boolean;BlueHue:Integer;BlueSaturation:Integer;Brightness:Integer;CameraProfile:Text;ChromaticAberrationB:Integer;ChromaticAberrationR:Integer;ColorNoiseReduction:Integer;Contrast:Integer;CropTop:Real;CropLeft:Real;CropBottom:Real;CropRight:Real;CropAngle:Real;CropWidth:Real;CropHeight:Real;CropUnits:Integer;Exposure:Real;GreenHue:Integer;GreenSaturation:Integer;HasCrop:Boolean;HasSettings:Boolean;LuminanceSmoothing:Integer;RawFileName:Text;RedHue:Integer;RedSaturation:Integer;Saturation:Integer;Shadows:Integer;ShadowTint:Integer;Sharpness:Integer;Temperature:Integer;Tint:Integer;ToneCurve:seq Text;ToneCurveName:Text;Version:Text;VignetteAmount:Integer;VignetteMidpoint:Integer;WhiteBalance:Text',
  },
  'http://www.aiim.org/pdfa/ns/id/': { prefix: 'pdfaid', props: 'part:Integer;amd:Text;conformance:Text' },
};

export interface PredefinedSchema {
  prefix: string;
  props: Map<string, string>;
}

export const PREDEFINED = new Map<string, PredefinedSchema>(
  Object.entries(SCHEMAS).map(([ns, s]) => [
    ns,
    { prefix: s.prefix, props: new Map(s.props.split(';').map((p) => p.split(':') as [string, string])) },
  ]),
);

/** Simple value types and the lexical forms XMP 2004 gives them. */
export const SIMPLE_TYPES: Record<string, RegExp | null> = {
  Text: null,
  ProperName: null,
  AgentName: null,
  MIMEType: null,
  Locale: null,
  RenditionClass: null,
  URI: null,
  URL: null,
  XPath: null,
  'Closed Choice of Text': null,
  'Open Choice of Text': null,
  Integer: /^[+-]?\d+$/,
  'Closed Choice of Integer': /^[+-]?\d+$/,
  Real: /^[+-]?(\d+\.?\d*|\.\d+)$/,
  Boolean: /^(True|False)$/,
  Date: /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/,
  Rational: /^[+-]?\d+\/[+-]?\d+$/,
  GPSCoordinate: /^\d{1,3},\d{1,2}(,\d{1,2}|\.\d+)?[NSEW]$/,
};

export const EXTENSION_NS = {
  extension: 'http://www.aiim.org/pdfa/ns/extension/',
  schema: 'http://www.aiim.org/pdfa/ns/schema#',
  property: 'http://www.aiim.org/pdfa/ns/property#',
  type: 'http://www.aiim.org/pdfa/ns/type#',
  field: 'http://www.aiim.org/pdfa/ns/field#',
};
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Fields of the structure value types of XMP 2004 (namespace and field types). */
const STRUCT_DEFS: Record<string, { ns: string; fields: string }> = {
  ResourceRef: {
    ns: 'http://ns.adobe.com/xap/1.0/sType/ResourceRef#',
    fields: 'instanceID:URI;documentID:URI;versionID:Text;renditionClass:RenditionClass;renditionParams:Text;manager:AgentName;managerVariant:Text;manageTo:URI;manageUI:URI',
  },
  ResourceEvent: {
    ns: 'http://ns.adobe.com/xap/1.0/sType/ResourceEvent#',
    fields: 'action:Text;instanceID:URI;parameters:Text;softwareAgent:AgentName;when:Date',
  },
  Version: { ns: 'http://ns.adobe.com/xap/1.0/sType/Version#', fields: 'comments:Text;event:ResourceEvent;modifyDate:Date;modifier:ProperName;version:Text' },
  Thumbnail: { ns: 'http://ns.adobe.com/xap/1.0/g/img/', fields: 'height:Integer;width:Integer;format:Text{JPEG};image:Text' },
  Dimensions: { ns: 'http://ns.adobe.com/xap/1.0/sType/Dimensions#', fields: 'w:Real;h:Real;unit:Text' },
  Font: {
    ns: 'http://ns.adobe.com/xap/1.0/sType/Font#',
    fields: 'fontName:Text;fontFamily:Text;fontFace:Text;fontType:Text;versionString:Text;composite:Boolean;fontFileName:Text;childFontFiles:seq Text',
  },
  Colorant: {
    ns: 'http://ns.adobe.com/xap/1.0/g/',
    fields: 'swatchName:Text;mode:Text;type:Text;cyan:Real;magenta:Real;yellow:Real;black:Real;red:Integer;green:Integer;blue:Integer;L:Real;A:Integer;B:Integer',
  },
  Job: { ns: 'http://ns.adobe.com/xap/1.0/sType/Job#', fields: 'name:Text;id:Text;url:URL' },
  Flash: { ns: 'http://ns.adobe.com/exif/1.0/', fields: 'Fired:Boolean;Return:Integer{0,2,3};Mode:Integer{0,1,2,3};Function:Boolean;RedEyeMode:Boolean' },
  OECF: { ns: 'http://ns.adobe.com/exif/1.0/', fields: 'Columns:Integer;Rows:Integer;Names:seq Text;Values:seq Rational' },
  CFAPattern: { ns: 'http://ns.adobe.com/exif/1.0/', fields: 'Columns:Integer;Rows:Integer;Values:seq Integer' },
  DeviceSettings: { ns: 'http://ns.adobe.com/exif/1.0/', fields: 'Columns:Integer;Rows:Integer;Settings:seq Text' },
};

export const STRUCTS = new Map<string, { ns: string; fields: Map<string, string> }>(
  Object.entries(STRUCT_DEFS).map(([name, d]) => [name, { ns: d.ns, fields: new Map(d.fields.split(';').map((f) => f.split(':') as [string, string])) }]),
);
