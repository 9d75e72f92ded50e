var Z=globalThis,G=Z.ShadowRoot&&(Z.ShadyCSS===void 0||Z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ie=Symbol(),ke=new WeakMap,D=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==ie)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(G&&e===void 0){let r=t!==void 0&&t.length===1;r&&(e=ke.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),r&&ke.set(t,e))}return e}toString(){return this.cssText}},Te=s=>new D(typeof s=="string"?s:s+"",void 0,ie),oe=(s,...e)=>{let t=s.length===1?s[0]:e.reduce((r,n,i)=>r+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+s[i+1],s[0]);return new D(t,s,ie)},He=(s,e)=>{if(G)s.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let r=document.createElement("style"),n=Z.litNonce;n!==void 0&&r.setAttribute("nonce",n),r.textContent=t.cssText,s.appendChild(r)}},ae=G?s=>s:s=>s instanceof CSSStyleSheet?(e=>{let t="";for(let r of e.cssRules)t+=r.cssText;return Te(t)})(s):s;var{is:it,defineProperty:ot,getOwnPropertyDescriptor:at,getOwnPropertyNames:ct,getOwnPropertySymbols:lt,getPrototypeOf:dt}=Object,q=globalThis,Pe=q.trustedTypes,ht=Pe?Pe.emptyScript:"",ut=q.reactiveElementPolyfillSupport,U=(s,e)=>s,ce={toAttribute(s,e){switch(e){case Boolean:s=s?ht:null;break;case Object:case Array:s=s==null?s:JSON.stringify(s)}return s},fromAttribute(s,e){let t=s;switch(e){case Boolean:t=s!==null;break;case Number:t=s===null?null:Number(s);break;case Object:case Array:try{t=JSON.parse(s)}catch{t=null}}return t}},Ne=(s,e)=>!it(s,e),Re={attribute:!0,type:String,converter:ce,reflect:!1,useDefault:!1,hasChanged:Ne};Symbol.metadata??=Symbol("metadata"),q.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=Re){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let r=Symbol(),n=this.getPropertyDescriptor(e,r,t);n!==void 0&&ot(this.prototype,e,n)}}static getPropertyDescriptor(e,t,r){let{get:n,set:i}=at(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:n,set(o){let l=n?.call(this);i?.call(this,o),this.requestUpdate(e,l,r)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??Re}static _$Ei(){if(this.hasOwnProperty(U("elementProperties")))return;let e=dt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(U("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(U("properties"))){let t=this.properties,r=[...ct(t),...lt(t)];for(let n of r)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[r,n]of t)this.elementProperties.set(r,n)}this._$Eh=new Map;for(let[t,r]of this.elementProperties){let n=this._$Eu(t,r);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let r=new Set(e.flat(1/0).reverse());for(let n of r)t.unshift(ae(n))}else e!==void 0&&t.push(ae(e));return t}static _$Eu(e,t){let r=t.attribute;return r===!1?void 0:typeof r=="string"?r:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let r of t.keys())this.hasOwnProperty(r)&&(e.set(r,this[r]),delete this[r]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return He(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,r){this._$AK(e,r)}_$ET(e,t){let r=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,r);if(n!==void 0&&r.reflect===!0){let i=(r.converter?.toAttribute!==void 0?r.converter:ce).toAttribute(t,r.type);this._$Em=e,i==null?this.removeAttribute(n):this.setAttribute(n,i),this._$Em=null}}_$AK(e,t){let r=this.constructor,n=r._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let i=r.getPropertyOptions(n),o=typeof i.converter=="function"?{fromAttribute:i.converter}:i.converter?.fromAttribute!==void 0?i.converter:ce;this._$Em=n;let l=o.fromAttribute(t,i.type);this[n]=l??this._$Ej?.get(n)??l,this._$Em=null}}requestUpdate(e,t,r,n=!1,i){if(e!==void 0){let o=this.constructor;if(n===!1&&(i=this[e]),r??=o.getPropertyOptions(e),!((r.hasChanged??Ne)(i,t)||r.useDefault&&r.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,r))))return;this.C(e,t,r)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:r,reflect:n,wrapped:i},o){r&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),i!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||r||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,i]of this._$Ep)this[n]=i;this._$Ep=void 0}let r=this.constructor.elementProperties;if(r.size>0)for(let[n,i]of r){let{wrapped:o}=i,l=this[n];o!==!0||this._$AL.has(n)||l===void 0||this.C(n,void 0,i,l)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(r=>r.hostUpdate?.()),this.update(t)):this._$EM()}catch(r){throw e=!1,this._$EM(),r}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[U("elementProperties")]=new Map,$[U("finalized")]=new Map,ut?.({ReactiveElement:$}),(q.reactiveElementVersions??=[]).push("2.1.2");var ge=globalThis,Me=s=>s,Y=ge.trustedTypes,ze=Y?Y.createPolicy("lit-html",{createHTML:s=>s}):void 0,We="$lit$",w=`lit$${Math.random().toFixed(9).slice(2)}$`,Be="?"+w,pt=`<${Be}>`,T=document,L=()=>T.createComment(""),W=s=>s===null||typeof s!="object"&&typeof s!="function",_e=Array.isArray,mt=s=>_e(s)||typeof s?.[Symbol.iterator]=="function",le=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Oe=/-->/g,De=/>/g,C=RegExp(`>|${le}(?:([^\\s"'>=/]+)(${le}*=${le}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ue=/'/g,Ie=/"/g,Ke=/^(?:script|style|textarea|title)$/i,fe=s=>(e,...t)=>({_$litType$:s,strings:e,values:t}),u=fe(1),P=fe(2),zt=fe(3),H=Symbol.for("lit-noChange"),p=Symbol.for("lit-nothing"),Le=new WeakMap,k=T.createTreeWalker(T,129);function Ve(s,e){if(!_e(s)||!s.hasOwnProperty("raw"))throw Error("invalid template strings array");return ze!==void 0?ze.createHTML(e):e}var gt=(s,e)=>{let t=s.length-1,r=[],n,i=e===2?"<svg>":e===3?"<math>":"",o=I;for(let l=0;l<t;l++){let a=s[l],c,d,h=-1,g=0;for(;g<a.length&&(o.lastIndex=g,d=o.exec(a),d!==null);)g=o.lastIndex,o===I?d[1]==="!--"?o=Oe:d[1]!==void 0?o=De:d[2]!==void 0?(Ke.test(d[2])&&(n=RegExp("</"+d[2],"g")),o=C):d[3]!==void 0&&(o=C):o===C?d[0]===">"?(o=n??I,h=-1):d[1]===void 0?h=-2:(h=o.lastIndex-d[2].length,c=d[1],o=d[3]===void 0?C:d[3]==='"'?Ie:Ue):o===Ie||o===Ue?o=C:o===Oe||o===De?o=I:(o=C,n=void 0);let f=o===C&&s[l+1].startsWith("/>")?" ":"";i+=o===I?a+pt:h>=0?(r.push(c),a.slice(0,h)+We+a.slice(h)+w+f):a+w+(h===-2?l:f)}return[Ve(s,i+(s[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),r]},B=class s{constructor({strings:e,_$litType$:t},r){let n;this.parts=[];let i=0,o=0,l=e.length-1,a=this.parts,[c,d]=gt(e,t);if(this.el=s.createElement(c,r),k.currentNode=this.el.content,t===2||t===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(n=k.nextNode())!==null&&a.length<l;){if(n.nodeType===1){if(n.hasAttributes())for(let h of n.getAttributeNames())if(h.endsWith(We)){let g=d[o++],f=n.getAttribute(h).split(w),b=/([.?@])?(.*)/.exec(g);a.push({type:1,index:i,name:b[2],strings:f,ctor:b[1]==="."?he:b[1]==="?"?ue:b[1]==="@"?pe:M}),n.removeAttribute(h)}else h.startsWith(w)&&(a.push({type:6,index:i}),n.removeAttribute(h));if(Ke.test(n.tagName)){let h=n.textContent.split(w),g=h.length-1;if(g>0){n.textContent=Y?Y.emptyScript:"";for(let f=0;f<g;f++)n.append(h[f],L()),k.nextNode(),a.push({type:2,index:++i});n.append(h[g],L())}}}else if(n.nodeType===8)if(n.data===Be)a.push({type:2,index:i});else{let h=-1;for(;(h=n.data.indexOf(w,h+1))!==-1;)a.push({type:7,index:i}),h+=w.length-1}i++}}static createElement(e,t){let r=T.createElement("template");return r.innerHTML=e,r}};function N(s,e,t=s,r){if(e===H)return e;let n=r!==void 0?t._$Co?.[r]:t._$Cl,i=W(e)?void 0:e._$litDirective$;return n?.constructor!==i&&(n?._$AO?.(!1),i===void 0?n=void 0:(n=new i(s),n._$AT(s,t,r)),r!==void 0?(t._$Co??=[])[r]=n:t._$Cl=n),n!==void 0&&(e=N(s,n._$AS(s,e.values),n,r)),e}var de=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:r}=this._$AD,n=(e?.creationScope??T).importNode(t,!0);k.currentNode=n;let i=k.nextNode(),o=0,l=0,a=r[0];for(;a!==void 0;){if(o===a.index){let c;a.type===2?c=new K(i,i.nextSibling,this,e):a.type===1?c=new a.ctor(i,a.name,a.strings,this,e):a.type===6&&(c=new me(i,this,e)),this._$AV.push(c),a=r[++l]}o!==a?.index&&(i=k.nextNode(),o++)}return k.currentNode=T,n}p(e){let t=0;for(let r of this._$AV)r!==void 0&&(r.strings!==void 0?(r._$AI(e,r,t),t+=r.strings.length-2):r._$AI(e[t])),t++}},K=class s{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,r,n){this.type=2,this._$AH=p,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=r,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=N(this,e,t),W(e)?e===p||e==null||e===""?(this._$AH!==p&&this._$AR(),this._$AH=p):e!==this._$AH&&e!==H&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):mt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==p&&W(this._$AH)?this._$AA.nextSibling.data=e:this.T(T.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:r}=e,n=typeof r=="number"?this._$AC(e):(r.el===void 0&&(r.el=B.createElement(Ve(r.h,r.h[0]),this.options)),r);if(this._$AH?._$AD===n)this._$AH.p(t);else{let i=new de(n,this),o=i.u(this.options);i.p(t),this.T(o),this._$AH=i}}_$AC(e){let t=Le.get(e.strings);return t===void 0&&Le.set(e.strings,t=new B(e)),t}k(e){_e(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,r,n=0;for(let i of e)n===t.length?t.push(r=new s(this.O(L()),this.O(L()),this,this.options)):r=t[n],r._$AI(i),n++;n<t.length&&(this._$AR(r&&r._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let r=Me(e).nextSibling;Me(e).remove(),e=r}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},M=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,r,n,i){this.type=1,this._$AH=p,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=i,r.length>2||r[0]!==""||r[1]!==""?(this._$AH=Array(r.length-1).fill(new String),this.strings=r):this._$AH=p}_$AI(e,t=this,r,n){let i=this.strings,o=!1;if(i===void 0)e=N(this,e,t,0),o=!W(e)||e!==this._$AH&&e!==H,o&&(this._$AH=e);else{let l=e,a,c;for(e=i[0],a=0;a<i.length-1;a++)c=N(this,l[r+a],t,a),c===H&&(c=this._$AH[a]),o||=!W(c)||c!==this._$AH[a],c===p?e=p:e!==p&&(e+=(c??"")+i[a+1]),this._$AH[a]=c}o&&!n&&this.j(e)}j(e){e===p?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},he=class extends M{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===p?void 0:e}},ue=class extends M{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==p)}},pe=class extends M{constructor(e,t,r,n,i){super(e,t,r,n,i),this.type=5}_$AI(e,t=this){if((e=N(this,e,t,0)??p)===H)return;let r=this._$AH,n=e===p&&r!==p||e.capture!==r.capture||e.once!==r.once||e.passive!==r.passive,i=e!==p&&(r===p||n);n&&this.element.removeEventListener(this.name,this,r),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},me=class{constructor(e,t,r){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=r}get _$AU(){return this._$AM._$AU}_$AI(e){N(this,e)}};var _t=ge.litHtmlPolyfillSupport;_t?.(B,K),(ge.litHtmlVersions??=[]).push("3.3.3");var je=(s,e,t)=>{let r=t?.renderBefore??e,n=r._$litPart$;if(n===void 0){let i=t?.renderBefore??null;r._$litPart$=n=new K(e.insertBefore(L(),i),i,void 0,t??{})}return n._$AI(s),n};var ye=globalThis,y=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=je(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return H}};y._$litElement$=!0,y.finalized=!0,ye.litElementHydrateSupport?.({LitElement:y});var ft=ye.litElementPolyfillSupport;ft?.({LitElement:y});(ye.litElementVersions??=[]).push("4.2.2");var J=130,yt=16,$t=10,Fe=18,vt=500,bt=44,wt=22;function X(s,e){let t=vt,r=t/Math.max(s.length,1),n=Math.ceil(wt/r),i=e??Math.max(0,...s.flatMap(d=>d.values.map(h=>h.value!==null&&h.value>0?h.value:0))),o=s.some(d=>(d.markers??[]).length>0),l=J-yt-(o?$t:0)-Fe,a=i>0?l/i:0,c=J-Fe;return P`<svg viewBox="0 0 ${t} ${J}" role="img" preserveAspectRatio="xMidYMid meet">
    <line class="axis" x1="0" x2="${t}" y1="${c}" y2="${c}"></line>
    ${s.map((d,h)=>{let g=d.values.length,f=Math.min(r*.72,bt*g),b=f/g,nt=h*r+(r-f)/2;return P`<g>
        <title>${d.title}</title>
        ${d.values.map((R,st)=>{let se=R.value!==null&&R.value>0?R.value*a:0,Ce=nt+st*b;return P`<rect class="${R.cls}" x="${Ce+.5}" y="${c-se}" width="${Math.max(b-1,1)}" height="${se}" rx="2"></rect>
            ${R.text&&h%n===0?P`<text class="value" x="${Ce+b/2}" y="${c-se-4}" text-anchor="middle">${R.text}</text>`:""}`})}
        ${h%n===0?P`<text class="label" x="${h*r+r/2}" y="${J-5}" text-anchor="middle">${d.label}</text>`:""}
        ${(d.markers??[]).length>0?P`<path class="marker" d="M ${h*r+r/2-4} 1 h 8 l -4 6 z"><title>${(d.markers??[]).join(`
`)}</title></path>`:""}
      </g>`})}
  </svg>`}var Ze=new Map;function x(s,e){let t=`${s}|${e}`,r=Ze.get(t);return r===void 0&&(r=new Intl.NumberFormat(s,{minimumFractionDigits:e,maximumFractionDigits:e}),Ze.set(t,r)),r}function z(s){return typeof s=="number"&&Number.isFinite(s)}function Q(s,e,t){return z(e)?x(s,t).format(e):"–"}function A(s,e){return Q(s,e,1)}function v(s,e){if(!z(e))return"–";let t=Math.abs(e);if(t>=1e4)return`${x(s,1).format(e/1e3)} MWh`;let r=t>=100?0:t>=1?1:2;return`${x(s,r).format(e)} kWh`}function V(s,e){return z(e)?`${x(s,Math.abs(e)>=10?0:1).format(e)} %`:"–"}function Ge(s,e){if(!z(e))return"–";let t=V(s,e);return e>0?`+${t}`:t}function qe(s,e){return z(e)?x(s,e>=10?0:1).format(e):"–"}function Ye(s,e){if(!z(e))return"–";let t=Math.round(e);if(t<60)return`${t} min`;let r=Math.floor(t/60),n=t%60;return n===0?`${x(s,0).format(r)} h`:`${x(s,0).format(r)} h ${n} min`}function $e(s,e){return`${x(s,Number.isInteger(e)?0:1).format(e)} °C`}function ve(s,e){let[t,r]=e.split("-").map(Number);return new Intl.DateTimeFormat(s,{month:"short",timeZone:"UTC"}).format(new Date(Date.UTC(t,r-1,1)))}function Je(s,e){return new Intl.DateTimeFormat(s,{dateStyle:"medium",timeStyle:"short"}).format(new Date(e))}function Xe(s,e){return new Intl.DateTimeFormat(s,{dateStyle:"medium"}).format(new Date(e))}var ee={name:"Heat pump statistics",description:"Seasonal COP, energy by purpose, COP by outdoor temperature and the change log",period_season:"This heating season",period_year:"This year",period_month:"This month",period_week:"This week",period_day:"Today",scop:"Seasonal COP",cop:"COP",carnot:"of Carnot",coverage:"data coverage",heat:"Heat",electricity:"Electricity",purpose:"Purpose",heating:"Space heating",dhw:"Hot water",defrost:"Defrost",total:"Total",defrosts:"defrosts",months:"Seasonal COP per month",bins_cop:"COP by outdoor temperature",bins_energy:"Heat and electricity by outdoor temperature",cycles_per_day:"Compressor starts per day",compressor_starts:"Compressor starts",cycles_after_a_day:"per day after a day of data",run_length:"Mean run length",run_length_recent:"last 7 days",run_length_none:"no completed run yet",changes:"Changes",no_changes:"No changes in this period.",impact:"COP change (weather-normalised)",impact_pending:"impact not known yet",confidence_low:"low confidence",confidence_medium:"medium confidence",confidence_high:"high confidence",from_statistics:"from long-term statistics",from_recorder:"from the recorder",no_data:"No history for this period yet.",loading:"Loading…",error:"The figures cannot be loaded",pick_entry:"Add a heat pump in Settings → Devices & services first.",editor_entry:"Heat pump",editor_period:"Period",editor_title:"Title (optional)",kind_setpoint_changed:"Setpoint",kind_schedule_changed:"Schedule",kind_mode_changed:"Mode",kind_note_added:"Note",source_detected:"detected",source_note:"note",on:"on",off:"off",circuit:"circuit",invalid_config:"Invalid card configuration",unknown_period:"Unknown period: {period} (season, year, month, week or day)",error_card_entry_not_found:"There is no Heat Pump Stats entry {entry_id} to show.",error_card_recorder_unavailable:"The figures need Home Assistant's recorder, which is not running or is migrating its database.",error_card_history_error:"The figures cannot be read from the recorder: {error}"},At={name:"Wärmepumpen-Statistik",description:"Jahresarbeitszahl, Energie nach Zweck, COP nach Außentemperatur und das Änderungsprotokoll",period_season:"Diese Heizsaison",period_year:"Dieses Jahr",period_month:"Dieser Monat",period_week:"Diese Woche",period_day:"Heute",scop:"Jahresarbeitszahl",cop:"COP",carnot:"von Carnot",coverage:"Datenabdeckung",heat:"Wärme",electricity:"Strom",purpose:"Zweck",heating:"Raumheizung",dhw:"Warmwasser",defrost:"Abtauen",total:"Gesamt",defrosts:"Abtauungen",months:"Arbeitszahl je Monat",bins_cop:"COP nach Außentemperatur",bins_energy:"Wärme und Strom nach Außentemperatur",cycles_per_day:"Verdichterstarts pro Tag",compressor_starts:"Verdichterstarts",cycles_after_a_day:"pro Tag nach einem Tag mit Daten",run_length:"Mittlere Laufzeit",run_length_recent:"letzte 7 Tage",run_length_none:"noch kein abgeschlossener Lauf",changes:"Änderungen",no_changes:"Keine Änderungen in diesem Zeitraum.",impact:"COP-Änderung (wetterbereinigt)",impact_pending:"Wirkung noch nicht bekannt",confidence_low:"geringe Sicherheit",confidence_medium:"mittlere Sicherheit",confidence_high:"hohe Sicherheit",from_statistics:"aus der Langzeitstatistik",from_recorder:"aus dem Verlauf",no_data:"Für diesen Zeitraum gibt es noch keinen Verlauf.",loading:"Wird geladen…",error:"Die Zahlen können nicht geladen werden",pick_entry:"Füge zuerst unter Einstellungen → Geräte & Dienste eine Wärmepumpe hinzu.",editor_entry:"Wärmepumpe",editor_period:"Zeitraum",editor_title:"Titel (optional)",kind_setpoint_changed:"Sollwert",kind_schedule_changed:"Zeitprogramm",kind_mode_changed:"Betriebsart",kind_note_added:"Notiz",source_detected:"erkannt",source_note:"Notiz",on:"ein",off:"aus",circuit:"Heizkreis",invalid_config:"Ungültige Kartenkonfiguration",unknown_period:"Unbekannter Zeitraum: {period} (season, year, month, week oder day)",error_card_entry_not_found:"Es gibt keinen Heat-Pump-Stats-Eintrag {entry_id}, der angezeigt werden kann.",error_card_recorder_unavailable:"Die Zahlen brauchen den Recorder von Home Assistant, der nicht läuft oder seine Datenbank migriert.",error_card_history_error:"Die Zahlen können nicht aus dem Recorder gelesen werden: {error}"},St={en:ee,de:At},Et={heating_curve_slope:{en:"Heating curve slope",de:"Heizkurve Neigung"},heating_curve_shift:{en:"Heating curve shift",de:"Heizkurve Niveau"},heating_curve_rise:{en:"Heating curve slope",de:"Heizkurve Steigung"},heating_curve:{en:"Heating curve",de:"Heizkurve"},heating_curve_2:{en:"Heating curve 2",de:"Heizkurve 2"},heating_curve_offset:{en:"Heating curve offset",de:"Heizkurve Verschiebung"},heating_curve_end_point:{en:"Heating curve end point",de:"Heizkurve Endpunkt"},heating_curve_parallel_shift:{en:"Heating curve parallel shift",de:"Heizkurve Parallelverschiebung"},heating_curve_night_setback:{en:"Night setback",de:"Nachtabsenkung"},heating_temperature_offset:{en:"Heating temperature offset",de:"Heiztemperatur-Korrektur"},heating_limit_temperature:{en:"Heating limit temperature",de:"Heizgrenztemperatur"},heating_setpoint:{en:"Heating setpoint",de:"Heizungs-Sollwert"},heating_schedule:{en:"Heating schedule",de:"Heizzeitprogramm"},heating_mode:{en:"Heating mode",de:"Betriebsart Heizung"},comfort_temperature:{en:"Comfort temperature",de:"Komforttemperatur"},reduced_temperature:{en:"Reduced temperature",de:"Reduzierte Temperatur"},eco_temperature:{en:"Eco temperature",de:"Eco-Temperatur"},normal_temperature:{en:"Normal temperature",de:"Normaltemperatur"},current_desired_temperature:{en:"Desired room temperature",de:"Raum-Solltemperatur"},room_temperature_setpoint:{en:"Room temperature setpoint",de:"Raum-Sollwert"},room_sensor_influence:{en:"Room sensor influence",de:"Raumfühlereinfluss"},summer_mode_temperature:{en:"Summer mode temperature",de:"Sommerbetrieb ab"},holiday_hours:{en:"Holiday hours",de:"Urlaubsstunden"},operating_program:{en:"Operating program",de:"Betriebsprogramm"},operating_mode:{en:"Operating mode",de:"Betriebsart"},cooling_mode:{en:"Cooling mode",de:"Betriebsart Kühlung"},dhw_target_temperature:{en:"Hot water target temperature",de:"Warmwasser-Solltemperatur"},dhw_setpoint:{en:"Hot water setpoint",de:"Warmwasser-Sollwert"},dhw_comfort_temperature:{en:"Hot water comfort temperature",de:"Warmwasser-Komforttemperatur"},dhw_eco_temperature:{en:"Hot water eco temperature",de:"Warmwasser-Eco-Temperatur"},dhw_hysteresis:{en:"Hot water hysteresis",de:"Warmwasser-Hysterese"},dhw_difference:{en:"Hot water difference",de:"Warmwasser-Differenz"},dhw_start_temperature:{en:"Hot water start temperature",de:"Warmwasser-Starttemperatur"},dhw_stop_temperature:{en:"Hot water stop temperature",de:"Warmwasser-Stopptemperatur"},dhw_schedule:{en:"Hot water schedule",de:"Warmwasser-Zeitprogramm"},dhw_mode:{en:"Hot water mode",de:"Betriebsart Warmwasser"},dhw_operating_mode:{en:"Hot water mode",de:"Betriebsart Warmwasser"},circulation_schedule:{en:"Circulation schedule",de:"Zirkulations-Zeitprogramm"}},Ct={normal:{en:"normal",de:"Normal"},comfort:{en:"comfort",de:"Komfort"},reduced:{en:"reduced",de:"Reduziert"},eco:{en:"eco",de:"Eco"},automatic:{en:"automatic",de:"Automatik"},party:{en:"party",de:"Party"},holidays:{en:"holidays",de:"Urlaub"},standby:{en:"standby",de:"Bereitschaft"},heating:{en:"heating",de:"Heizen"},dhw:{en:"hot water",de:"Warmwasser"},dhw_and_heating:{en:"hot water and heating",de:"Warmwasser und Heizen"},second_heatsource:{en:"second heat source",de:"Zweiter Wärmeerzeuger"}};function j(s){let e=s.replace(/_/g," ").replace(/\s+/g," ").trim();return e.charAt(0).toUpperCase()+e.slice(1)}function be(s){return s.split("-")[0].toLowerCase()}function Qe(s,e){let t=m(s),r=/^(.*?)_(?:circuit_?|hc)(\d+)$/.exec(e),[n,i]=r?[r[1],r[2]]:[e,void 0],o=Et[n],l=o===void 0?j(n):be(s)==="de"?o.de:o.en;return i===void 0?l:`${l} (${t("circuit")} ${i})`}function we(s,e){if(e===null||e==="")return"?";if(/^-?\d+(\.\d+)?$/.test(e)){let n=e.includes(".")?e.split(".")[1].length:0;return new Intl.NumberFormat(s,{minimumFractionDigits:n,maximumFractionDigits:n}).format(Number(e))}let t=m(s);if(e==="true"||e==="on")return t("on");if(e==="false"||e==="off")return t("off");if(!/^[a-z][a-z0-9_]*$/.test(e))return e;let r=Ct[e];return r!==void 0?be(s)==="de"?r.de:r.en:e.includes("_")?j(e).toLowerCase():e}function xe(s,e){return s.replace(/\{(\w+)\}/g,(t,r)=>e!==void 0&&r in e?String(e[r]):t)}function _(s){return s?.locale?.language??s?.language??"en"}function m(s){let e=St[be(s)]??ee;return t=>e[t]??ee[t]??j(t)}function Ae(s){return s in ee}function te(s,e){let t=m(s),r=e??{},n=`error_${r.translation_key??""}`,i=Ae(n)?xe(t(n),r.translation_placeholders):r.message??String(e);return`${t("error")}: ${i}`}var Se=["season","year","month","week","day"],S="heatpump_stats";var E="heatpump-stats-card",kt=600*1e3;async function et(s){return(await s.callWS({type:"config_entries/get",domain:S}))[0]?.entry_id}var O=class extends y{static getConfigElement(){return document.createElement("heatpump-stats-card-editor")}static async getStubConfig(e){let t;try{t=await et(e)}catch{t=void 0}return{type:`custom:${E}`,config_entry_id:t,period:"season"}}setConfig(e){let t=m(this._hass?_(this._hass):document.documentElement.lang||navigator.language);if(!e||typeof e!="object")throw new Error(t("invalid_config"));if(e.period!==void 0&&!["season","year","month","week","day"].includes(e.period))throw new Error(xe(t("unknown_period"),{period:e.period}));this._config={period:"season",...e},this._loadedKey=void 0}getCardSize(){return 12}getGridOptions(){return{columns:12,min_columns:6}}get hass(){return this._hass}set hass(e){let t=this._hass===void 0,r=_(e)!==_(this._hass);this._hass=e,(t||r)&&this.requestUpdate()}connectedCallback(){super.connectedCallback(),this._timer=window.setInterval(()=>{this._load(!0)},kt)}disconnectedCallback(){super.disconnectedCallback(),this._timer!==void 0&&window.clearInterval(this._timer),this._timer=void 0}updated(e){if(super.updated(e),this.hass&&this._config){let t=`${this._config.config_entry_id??""}|${this._config.period}`;t!==this._loadedKey&&(this._loadedKey=t,this._load(!1))}}async _load(e){let t=this.hass,r=this._config;if(!(!t||!r)){e||(this._summary=void 0,this._error=void 0);try{let n=r.config_entry_id??await et(t);if(n===void 0){this._error=m(_(t))("pick_entry");return}this._summary=await t.callWS({type:`${S}/summary`,config_entry_id:n,period:r.period??"season"}),this._error=void 0}catch(n){this._error=te(_(t),n)}}}render(){let e=_(this.hass),t=m(e),r=this._summary,n=this._config?.title??r?.title??t("name"),i=t(`period_${this._config?.period??"season"}`);return u`<ha-card>
      <div class="header">
        <div class="title">${n}</div>
        <div class="subtitle">${i}</div>
      </div>
      <div class="content">
        ${this._error?u`<div class="error" data-figure="error">${this._error}</div>`:r===void 0?u`<div class="muted">${t("loading")}</div>`:this._figures(r,e,t)}
      </div>
    </ha-card>`}_figures(e,t,r){let n=e.energy,i=n.total.electrical_energy===null||(n.total.electrical_energy??0)<=0;return u`
      <div class="headline">
        <div class="big">
          <span class="value" data-figure="seasonal_cop">${A(t,e.season.cop)}</span>
          <span class="label">${r("scop")}</span>
        </div>
        ${e.period==="season"?p:u`<div class="big">
              <span class="value" data-figure="cop">${A(t,e.cop)}</span>
              <span class="label">${r("cop")} · ${r(`period_${e.period}`)}</span>
            </div>`}
        <div class="small">
          <div><span data-figure="carnot_pct">${V(t,e.carnot_pct)}</span> ${r("carnot")}</div>
          <div>
            <span data-figure="coverage_pct">${V(t,e.coverage_pct)}</span> ${r("coverage")}
          </div>
          <div class="muted">${e.history==="statistics"?r("from_statistics"):r("from_recorder")}</div>
        </div>
      </div>
      ${i?u`<div class="muted">${r("no_data")}</div>`:p}
      ${this._energyTable(e,t,r)}
      <div class="facts">
        ${e.cycles_per_day===null&&e.compressor_starts!==null?u`<div>
              <span class="value" data-figure="compressor_starts">${Q(t,e.compressor_starts,0)}</span>
              <span class="label">${r("compressor_starts")}</span>
              <span class="label" data-figure="cycles_hint">${r("cycles_after_a_day")}</span>
            </div>`:u`<div>
              <span class="value" data-figure="cycles_per_day">${qe(t,e.cycles_per_day)}</span>
              <span class="label">${r("cycles_per_day")}</span>
            </div>`}
        <div>
          <span class="value" data-figure="run_length">${Ye(t,e.run_length_minutes)}</span>
          <span class="label"
            >${r("run_length")}${e.run_length_from!==null?u` (${r("run_length_recent")})`:p}</span
          >
          ${e.run_length_minutes===null?u`<span class="label" data-figure="run_length_hint">${r("run_length_none")}</span>`:p}
        </div>
        ${e.energy.defrost.count===null?p:u`<div>
              <span class="value" data-figure="defrosts">${e.energy.defrost.count}</span>
              <span class="label">${r("defrosts")}</span>
            </div>`}
      </div>
      ${this._months(e,t,r)} ${this._bins(e,t,r)} ${this._changes(e,t,r)}
    `}_energyTable(e,t,r){let n=e.energy,i=n.total.thermal_energy??0,o=a=>i>0&&a!==null?Math.max(0,100*a/i):0,l=(a,c,d)=>u`<tr data-purpose="${a}">
        <th>${c}</th>
        <td data-figure="${a}_thermal_energy">${v(t,d.thermal_energy)}</td>
        <td data-figure="${a}_electrical_energy">${v(t,d.electrical_energy)}</td>
        <td data-figure="${a}_cop">${A(t,d.cop)}</td>
      </tr>`;return u`
      <div class="split" aria-hidden="true">
        <div class="heating" style="width:${o(n.heating.thermal_energy)}%"></div>
        <div class="dhw" style="width:${o(n.dhw.thermal_energy)}%"></div>
      </div>
      <table class="energy">
        <thead>
          <tr>
            <th>${r("purpose")}</th>
            <th>${r("heat")}</th>
            <th>${r("electricity")}</th>
            <th>${r("cop")}</th>
          </tr>
        </thead>
        <tbody>
          ${l("heating",r("heating"),n.heating)} ${l("dhw",r("dhw"),n.dhw)}
          <tr data-purpose="defrost" class="sub">
            <th>${r("defrost")}</th>
            <td data-figure="defrost_thermal_energy">${v(t,n.defrost.thermal_energy)}</td>
            <td data-figure="defrost_electrical_energy">
              ${v(t,n.defrost.electrical_energy)}${n.defrost.pct_of_electricity!==null?u` <span class="muted">(${V(t,n.defrost.pct_of_electricity)})</span>`:p}
            </td>
            <td></td>
          </tr>
          ${l("total",r("total"),n.total)}
        </tbody>
      </table>
    `}_changeText(e,t,r){let n=Ae(`kind_${e.kind}`)?r(`kind_${e.kind}`):j(e.kind);return e.source==="note"?e.message?`${n}: ${e.message}`:n:`${e.key?Qe(t,e.key):n}: ${we(t,e.old)} → ${we(t,e.new)}`}_months(e,t,r){let n=e.season.months;if(n.length===0)return p;let i=new Map;for(let l of e.changes){let a=new Date(l.timestamp),c=`${a.getFullYear()}-${String(a.getMonth()+1).padStart(2,"0")}`;i.set(c,[...i.get(c)??[],`${Xe(t,l.timestamp)}: ${this._changeText(l,t,r)}`])}let o=n.map(l=>({label:ve(t,l.month),values:[{value:l.cop,cls:"bar-cop",text:A(t,l.cop)}],title:`${ve(t,l.month)}: ${r("cop")} ${A(t,l.cop)} · ${r("heat")} ${v(t,l.thermal_energy)} · ${r("electricity")} ${v(t,l.electrical_energy)}`,markers:i.get(l.month)}));return u`<div class="chart" data-chart="months">
      <div class="chart-title">${r("months")}</div>
      ${X(o)}
    </div>`}_bins(e,t,r){let n=e.bins.filter(c=>c.electrical_energy>0||c.thermal_energy>0);if(n.length===0)return p;let i=c=>Q(t,c.from,0),o=c=>`${$e(t,c.from)} … ${$e(t,c.to)}`,l=n.map(c=>({label:i(c),values:[{value:c.cop,cls:"bar-cop",text:A(t,c.cop)}],title:`${o(c)}: ${r("cop")} ${A(t,c.cop)}`})),a=n.map(c=>({label:i(c),values:[{value:c.thermal_energy,cls:"bar-heat"},{value:c.electrical_energy,cls:"bar-electricity"}],title:`${o(c)}: ${r("heat")} ${v(t,c.thermal_energy)} · ${r("electricity")} ${v(t,c.electrical_energy)}`}));return u`<div class="chart" data-chart="bins_cop">
        <div class="chart-title">${r("bins_cop")} (°C)</div>
        ${X(l)}
      </div>
      <div class="chart" data-chart="bins_energy">
        <div class="chart-title">
          ${r("bins_energy")} (°C)
          <span class="legend"><i class="bar-heat"></i>${r("heat")} <i class="bar-electricity"></i>${r("electricity")}</span>
        </div>
        ${X(a)}
      </div>`}_changes(e,t,r){let n=[...e.changes].reverse().slice(0,5);return u`<div class="changes">
      <div class="chart-title">${r("changes")}</div>
      ${n.length===0?u`<div class="muted">${r("no_changes")}</div>`:u`<ul>
            ${n.map(i=>{let o=i.impact,l=o!==null&&o.weather_normalized_cop_change_pct!==null;return u`<li data-change="${i.id}">
                <span class="when">${Je(t,i.timestamp)}</span>
                <span class="what">${this._changeText(i,t,r)}</span>
                <span class="source muted">${r(`source_${i.source}`)}</span>
                <span class="impact">
                  ${l?u`${r("impact")}: <b>${Ge(t,o.weather_normalized_cop_change_pct)}</b> ·
                        ${r(`confidence_${o.confidence}`)}`:u`<span class="muted">${r("impact_pending")}</span>`}
                </span>
              </li>`})}
          </ul>`}
    </div>`}};O.properties={_config:{state:!0},_summary:{state:!0},_error:{state:!0}},O.styles=oe`
    :host {
      --hps-heat: var(--hps-heat-color, var(--orange-color, #ff9800));
      --hps-electricity: var(--hps-electricity-color, var(--blue-color, #2196f3));
      --hps-dhw: var(--hps-dhw-color, var(--red-color, #f44336));
      --hps-cop: var(--hps-cop-color, var(--primary-color, #03a9f4));
    }
    ha-card {
      height: 100%;
      box-sizing: border-box;
    }
    .header {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 8px;
      padding: 16px 16px 0;
    }
    .title {
      font-size: var(--ha-card-header-font-size, 1.3em);
      color: var(--ha-card-header-color, var(--primary-text-color));
    }
    .subtitle,
    .muted,
    .label,
    .chart-title {
      color: var(--secondary-text-color);
    }
    .content {
      padding: 8px 16px 16px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
    .headline {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-end;
      gap: 8px 24px;
      margin-bottom: 12px;
    }
    .big {
      display: flex;
      flex-direction: column;
    }
    .big .value {
      font-size: 2.4em;
      line-height: 1.1;
      font-weight: 500;
    }
    .small {
      margin-left: auto;
      text-align: right;
      font-size: 0.9em;
    }
    .split {
      display: flex;
      height: 6px;
      border-radius: 3px;
      overflow: hidden;
      background: var(--divider-color);
      margin: 4px 0 8px;
    }
    .split .heating {
      background: var(--hps-heat);
    }
    .split .dhw {
      background: var(--hps-dhw);
    }
    table.energy {
      width: 100%;
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    table.energy th,
    table.energy td {
      padding: 3px 4px;
      text-align: right;
      font-weight: normal;
      border-bottom: 1px solid var(--divider-color);
    }
    table.energy th:first-child {
      text-align: left;
    }
    table.energy thead th {
      color: var(--secondary-text-color);
      font-size: 0.85em;
    }
    table.energy tr.sub th {
      padding-left: 16px;
      color: var(--secondary-text-color);
    }
    table.energy tr[data-purpose="total"] th,
    table.energy tr[data-purpose="total"] td {
      font-weight: 500;
      border-bottom: none;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 12px 0;
    }
    .facts > div {
      display: flex;
      flex-direction: column;
    }
    .facts .value {
      font-size: 1.4em;
    }
    .facts .label {
      font-size: 0.85em;
    }
    .chart {
      margin-top: 12px;
    }
    .chart svg {
      width: 100%;
      height: auto;
      display: block;
    }
    svg .axis {
      stroke: var(--divider-color);
    }
    svg text {
      font-size: 10px;
      fill: var(--secondary-text-color);
    }
    svg text.value {
      fill: var(--primary-text-color);
    }
    svg .bar-cop {
      fill: var(--hps-cop);
    }
    svg .bar-heat {
      fill: var(--hps-heat);
    }
    svg .bar-electricity {
      fill: var(--hps-electricity);
    }
    svg .marker {
      fill: var(--warning-color, #ffa600);
    }
    .legend {
      float: right;
      font-size: 0.85em;
    }
    .legend i {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin: 0 4px 0 8px;
    }
    .legend i.bar-heat {
      background: var(--hps-heat);
    }
    .legend i.bar-electricity {
      background: var(--hps-electricity);
    }
    .changes {
      margin-top: 12px;
    }
    .changes ul {
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
    }
    .changes li {
      display: flex;
      flex-wrap: wrap;
      gap: 0 8px;
      padding: 4px 0;
      border-bottom: 1px solid var(--divider-color);
    }
    .changes li:last-child {
      border-bottom: none;
    }
    .changes .when {
      color: var(--secondary-text-color);
      font-variant-numeric: tabular-nums;
    }
    .changes .source {
      font-size: 0.85em;
    }
    .changes .impact {
      flex-basis: 100%;
      font-size: 0.9em;
    }
  `;var F=class extends y{setConfig(e){this._config=e}updated(){this.hass&&this._entries===void 0&&(this._entries=[],this.hass.callWS({type:"config_entries/get",domain:S}).then(e=>this._entries=e).catch(()=>{}))}_schema(e){return[{name:"config_entry_id",required:!0,selector:{config_entry:{integration:S}}},{name:"period",selector:{select:{mode:"dropdown",options:Se.map(t=>({value:t,label:e(`period_${t}`)}))}}},{name:"title",selector:{text:{}}}]}_changed(e){this._config=e,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}render(){if(!this.hass||!this._config)return u``;let e=m(_(this.hass)),t={config_entry_id:"editor_entry",period:"editor_period",title:"editor_title"},r={period:"season",...this._config};return customElements.get("ha-form")?u`<ha-form
        .hass=${this.hass}
        .data=${r}
        .schema=${this._schema(e)}
        .computeLabel=${n=>e(t[n.name])}
        @value-changed=${n=>{let i={...n.detail.value};i.title||delete i.title,this._changed(i)}}
      ></ha-form>`:u`<label>
        ${e("editor_entry")}
        <select
          @change=${n=>this._changed({...this._config,config_entry_id:n.target.value})}
        >
          ${(this._entries??[]).map(n=>u`<option value=${n.entry_id} ?selected=${n.entry_id===r.config_entry_id}>${n.title}</option>`)}
        </select>
      </label>
      <label>
        ${e("editor_period")}
        <select
          @change=${n=>this._changed({...this._config,period:n.target.value})}
        >
          ${Se.map(n=>u`<option value=${n} ?selected=${n===r.period}>${e(`period_${n}`)}</option>`)}
        </select>
      </label>`}};F.properties={hass:{attribute:!1},_config:{state:!0},_entries:{state:!0}};var tt="heatpump-stats",re=class extends HTMLElement{static async generate(e,t){let r=m(_(t)),n=a=>({title:r("name"),views:[{type:"sections",path:"overview",sections:[{type:"grid",cards:[{type:"markdown",content:a}]}]}]}),i;try{i=await t.callWS({type:`${S}/dashboard`,...e.config_entry_id?{config_entry_id:e.config_entry_id}:{}})}catch(a){return n(te(_(t),a))}if(i.entries.length===0)return n(r("pick_entry"));let o=i.entries.length>1,l=i.entries.map(({config_entry_id:a,title:c,view:d})=>({...d,title:o?c:d.title,path:o?a.toLowerCase():d.path??"overview",sections:[{type:"grid",column_span:2,cards:[{type:`custom:${E}`,config_entry_id:a,period:e.period??"season",grid_options:{columns:"full"}}]},...d.sections??[]]}));return{title:o?r("name"):i.entries[0].title,views:l}}};function Ee(s,e){customElements.get(s)||customElements.define(s,e)}function Tt(){Ee(E,O),Ee(`${E}-editor`,F),Ee(`ll-strategy-dashboard-${tt}`,re)}function Ht(){return document.querySelector("home-assistant")!==null&&!customElements.get("home-assistant")}function rt(){Ht()?window.setTimeout(rt,50):Tt()}rt();var ne=window;ne.customCards=ne.customCards??[];if(!ne.customCards.some(s=>s.type===E)){let s=m(navigator.language??"en");ne.customCards.push({type:E,name:s("name"),description:s("description"),preview:!0,documentationURL:"https://github.com/heatpump-stats/heatpump_stats#the-card"})}
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
